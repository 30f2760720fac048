/**
 * Points the AWS SDK at a loopback endpoint the way the local runtime points the handlers: through
 * `AWS_ENDPOINT_URL_<SERVICE>` and dummy credentials in the environment, not through client config.
 * Returns a function that restores the previous values.
 */
export function useEndpointEnv(vars: Record<string, string>): () => void {
  const all: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'LOCALACCESSKEY',
    AWS_SECRET_ACCESS_KEY: 'local-secret-key',
    ...vars,
  };
  const before = Object.fromEntries(Object.keys(all).map((k) => [k, process.env[k]]));
  Object.assign(process.env, all);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
