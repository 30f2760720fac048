import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Credentials of the local runtime's loopback AWS stand-ins and API (no dependencies beyond node:
 * the CLI imports it). Each run generates its own (`generateRuntimeCredentials`); the hosted
 * functions get them in their environment, tests through `rt.clientConfig()`, and the CLI reads
 * them from `<dataDir>/credentials.json` (mode 0600, written at start). `LOCAL_CREDENTIALS` are
 * the fixed credentials of stand-ins that check nothing (unit-test stubs).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key' } as const;

export interface RuntimeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The session token the hosted functions sign with (tells their calls from outside ones). */
  sessionToken?: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

export function generateRuntimeCredentials(sessionToken: string): Required<RuntimeCredentials> {
  return {
    accessKeyId: `ASIALOCAL${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
    sessionToken,
  };
}

/** The credentials of the runtime using `dataDir` (access key and secret only), or an error saying where they were looked for. */
export function readRuntimeCredentials(dataDir: string): { accessKeyId: string; secretAccessKey: string } {
  const file = join(dataDir, CREDENTIALS_FILE);
  let parsed: Partial<RuntimeCredentials>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeCredentials>;
  } catch (err) {
    throw new Error(
      `cannot read the local runtime's credentials (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; start the runtime with 'npm start'`,
    );
  }
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string')
    throw new Error(`${file} holds no credentials: restart the local runtime`);
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}
