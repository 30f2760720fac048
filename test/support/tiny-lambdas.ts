import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFingerprint } from '../../lib/local/bundle-integrity.cjs';
import type { HostedFunction } from '../../lib/local/lambda-pool';

/**
 * Real Lambda "assets" for unit tests of the local runtime's pieces: each function is a CommonJS
 * `index.js` written to a temp folder (as CDK's bundling would produce), with its CDK asset hash,
 * and run by the real LambdaHost in a worker thread (which checks the bundle against the hash).
 */
export interface TinyLambdas {
  functions: HostedFunction[];
  dir: string;
  remove(): void;
}

export function tinyLambdas(
  defs: Record<string, { code: string; env?: Record<string, string>; timeoutSeconds?: number; memoryMb?: number; handler?: string }>,
): TinyLambdas {
  const dir = mkdtempSync(join(tmpdir(), 'procure-tiny-'));
  const functions = Object.entries(defs).map(([id, d]) => {
    const assetDir = join(dir, `asset.${id}`);
    mkdirSync(assetDir);
    writeFileSync(join(assetDir, 'index.js'), d.code);
    // Explicit modes: the host refuses a bundle writable by group or others, whatever the umask.
    chmodSync(assetDir, 0o755);
    chmodSync(join(assetDir, 'index.js'), 0o644);
    return {
      spec: {
        logicalId: `${id}0A1B2C3D`,
        constructId: id,
        name: `${id}0A1B2C3D`,
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${id}0A1B2C3D`,
        handler: d.handler ?? 'index.handler',
        timeoutSeconds: d.timeoutSeconds ?? 5,
        memoryMb: d.memoryMb ?? 256,
        assetDir,
        assetHash: bundleFingerprint(assetDir),
      },
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...d.env },
    };
  });
  return { functions, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
