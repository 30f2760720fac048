/**
 * How the API stage logs calls:
 * - `off`: no access logs; deploys on any account (a fresh one included);
 * - `account-has-role`: access logs on; the operator has checked that the account and region
 *   already have API Gateway's CloudWatch role (set by hand or by another stack);
 * - `create-account-role`: access logs on, and this stack creates the role and sets it as the
 *   account's (`AWS::ApiGateway::Account`, one per account and region: use it in one stack only).
 *   Both are retained on `cdk destroy`, so the account setting keeps pointing at a role that exists.
 */
export const API_ACCESS_LOG_MODES = ['off', 'account-has-role', 'create-account-role'] as const;
export type ApiAccessLogMode = (typeof API_ACCESS_LOG_MODES)[number];
