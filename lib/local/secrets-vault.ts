import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import type { CfnResource } from './cfn-template';

/**
 * The local stand-in for Secrets Manager's storage: `<dataDir>/secrets.json`, created on first
 * start with mode 0600, one entry per secret of the template keyed by logical id (lookups also take
 * the local ARN, partial ARN or name). Values are written once and then kept, so the vendor
 * sandboxes, which are started with the credentials from this file, and the handlers agree across
 * restarts; edit the file to use real vendor credentials. Values never reach a log line.
 */
export interface SecretDeclaration {
  logicalId: string;
  name: string;
  arn: string;
  /** The value written when the file has no entry for this secret yet. */
  initialValue: () => string;
}

export interface LocalSecret {
  logicalId: string;
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdDate: string;
}

interface SecretsFile {
  comment?: string;
  secrets: Record<string, { name: string; arn: string; value: string; createdDate?: string }>;
}

export class SecretsVault {
  private readonly secrets: LocalSecret[];

  private constructor(secrets: LocalSecret[]) {
    this.secrets = secrets;
  }

  /**
   * Opens (or creates) the secrets file and adds entries for declared secrets it lacks. Without a
   * file (in-memory runtime) the initial values are kept in memory only.
   */
  static open(
    declarations: SecretDeclaration[],
    options: { file?: string; log?: (line: string) => void /** Named in the file's comment. */; app?: string } = {},
  ): SecretsVault {
    const { file, log } = options;
    let stored: SecretsFile = { secrets: {} };
    if (file) {
      try {
        stored = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
        stored.secrets ??= {};
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is not a valid secrets file: fix or delete it`);
      }
    }
    let changed = !file || Object.keys(stored.secrets).length === 0;
    const out: LocalSecret[] = [];
    for (const d of declarations) {
      let entry = stored.secrets[d.logicalId];
      if (!entry) {
        entry = { name: d.name, arn: d.arn, value: d.initialValue(), createdDate: new Date().toISOString() };
        stored.secrets[d.logicalId] = entry;
        changed = true;
      } else if (entry.arn !== d.arn || entry.name !== d.name) {
        entry.arn = d.arn;
        entry.name = d.name;
        changed = true;
      }
      out.push({
        logicalId: d.logicalId,
        name: entry.name,
        arn: entry.arn,
        value: entry.value,
        versionId: versionIdOf(entry.value),
        createdDate: entry.createdDate ?? new Date(0).toISOString(),
      });
    }
    if (file) {
      if (changed) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        stored.comment = `Local secrets for the ${options.app ? `${options.app} ` : ''}offline runtime (Secrets Manager stand-in). Never commit this file.`;
        writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
        log?.(`secrets: wrote ${out.length} local secret(s) to ${file}`);
      }
      // Whatever the umask or an earlier copy did, the file is readable by its owner only.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    }
    return new SecretsVault(out);
  }

  /** By logical id, name, full ARN or partial ARN (without the 6-character suffix). */
  find(secretId: string): LocalSecret | undefined {
    return this.secrets.find(
      (s) => s.logicalId === secretId || s.name === secretId || s.arn === secretId || s.arn.replace(/-[A-Za-z0-9]{6}$/, '') === secretId,
    );
  }

  list(): Array<Omit<LocalSecret, 'value'>> {
    return this.secrets.map(({ value: _value, ...rest }) => rest);
  }
}

function versionIdOf(value: string): string {
  const h = createHash('sha256').update(value).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A value like Secrets Manager's GenerateSecretString would produce (common options). */
export function generateSecretString(spec: Record<string, unknown> = {}): string {
  const length = typeof spec.PasswordLength === 'number' ? spec.PasswordLength : 32;
  const exclude = typeof spec.ExcludeCharacters === 'string' ? spec.ExcludeCharacters : '';
  let alphabet = '';
  if (!spec.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!spec.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!spec.ExcludeNumbers) alphabet += '0123456789';
  if (!spec.ExcludePunctuation) alphabet += '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  if (spec.IncludeSpace) alphabet += ' ';
  alphabet = [...alphabet].filter((c) => !exclude.includes(c)).join('') || 'abcdefghijklmnopqrstuvwxyz';
  let password = '';
  for (let i = 0; i < length; i++) password += alphabet[randomInt(alphabet.length)];
  if (typeof spec.SecretStringTemplate === 'string' && typeof spec.GenerateStringKey === 'string') {
    const obj = JSON.parse(spec.SecretStringTemplate) as Record<string, unknown>;
    obj[spec.GenerateStringKey] = password;
    return JSON.stringify(obj);
  }
  return password;
}

/** The initial value of a template secret without a known role: SecretString, else generated. */
export function initialValueFromTemplate(resource: CfnResource): string {
  const props = resource.Properties ?? {};
  if (typeof props.SecretString === 'string') return props.SecretString;
  return generateSecretString((props.GenerateSecretString ?? {}) as Record<string, unknown>);
}

/** A fresh HMAC signing key (base64url, 256 bits). */
export function generateSigningKey(): string {
  return randomBytes(32).toString('base64url');
}
