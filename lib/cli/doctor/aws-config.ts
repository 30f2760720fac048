import type { DoctorTarget } from './target';

/**
 * SDK client settings for one of the target's services: the local runtime's loopback endpoint and
 * per-run credentials, or AWS in the API's region with the default chain. One attempt, bounded
 * waits: a doctor reports a slow service, it does not hang on it.
 */
export function awsConfig(t: DoctorTarget, service: 'aws' | 'dynamodb') {
  return {
    region: t.api.region,
    credentials: t.api.credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
    ...(t.endpoints ? { endpoint: service === 'dynamodb' ? t.endpoints.dynamodb : t.endpoints.aws } : {}),
  };
}
