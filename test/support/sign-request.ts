import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalRuntime } from '../../lib/local';

/**
 * The headers of an `execute-api` SigV4 request to the local runtime's API, signed with its per-run
 * credentials (the router checks the signature of IAM routes) or with `credentials` when given.
 */
export async function signedApiHeaders(
  rt: Pick<LocalRuntime, 'region' | 'clientConfig'>,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
): Promise<Record<string, string>> {
  const u = new URL(url);
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signer = new SignatureV4({
    service: 'execute-api',
    region: rt.region,
    credentials: options.credentials ?? rt.clientConfig('aws').credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
    query,
    headers: { host: u.host, ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return signed.headers as Record<string, string>;
}
