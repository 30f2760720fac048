import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeServiceEncryptedLogs } from './log-encryption';
import { LOG_RETENTION } from './log-retention';
import { acknowledgeSynchronousOnly } from './workflow-function';
import type { ApiAccessLogMode } from '../api-access-log-modes';

/**
 * Access log line: who called what and how it ended. Deliberately without `$context.path` and
 * without any query-string variable: approval links carry their signature as `?sig=`, and the
 * resource path template (`/approvals/{id}`) is enough to tell the routes apart.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    ip: AccessLogField.contextIdentitySourceIp(),
    caller: AccessLogField.contextIdentityCaller(),
    userArn: AccessLogField.contextIdentityUserArn(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    status: AccessLogField.contextStatus(),
    protocol: AccessLogField.contextProtocol(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    error: AccessLogField.contextErrorMessage(),
  }),
);

/** The API's one stage. */
const STAGE_NAME = 'prod';

export interface PurchaseApiProps {
  /** POST /purchases, GET /purchases, GET /purchases/{id} and POST /purchases/{id}/resolution. */
  readonly purchasesFunction: IFunction;
  /** POST /purchases/{id}/approvals/resend. */
  readonly resendFunction: IFunction;
  /** GET /licenses. */
  readonly licensesFunction: IFunction;
  /** POST /quotes. */
  readonly quotesFunction: IFunction;
  /**
   * Access logs and the account's API Gateway CloudWatch role (lib/api-access-log-modes.ts API_ACCESS_LOG_MODES).
   * @default 'off'
   */
  readonly accessLogs?: ApiAccessLogMode;
}

/**
 * procure's REST API and its IAM-authorized routes: `POST /purchases`, `GET /purchases` (a page
 * of purchases), `GET /purchases/{id}`, `POST /purchases/{id}/resolution` (a person's finding on a
 * NEEDS_ATTENTION purchase), `POST /purchases/{id}/approvals/resend` (fresh approval links), `GET /licenses`, `POST /quotes` (a price with nothing reserved);
 * callers sign with SigV4 and need execute-api:Invoke. The approval routes are
 * added to the same API by ApprovalApi, so the approval base URL is this API's URL.
 *
 * Access logging needs API Gateway's CloudWatch role, one account-and-region-wide setting
 * (AWS::ApiGateway::Account): a stage with access logs fails to deploy ("CloudWatch Logs role ARN
 * must be set in account settings") where it was never set. So the stack takes it over only when
 * asked (`create-account-role`, toolchain.md G9), and by default writes no access logs at all.
 */
export class PurchaseApi extends Construct {
  readonly api: RestApi;
  /** Validates required path and query parameters (and bodies, where a method has a model). */
  readonly requestValidator: RequestValidator;
  /** The access log group, unless access logs are `off`. */
  readonly accessLogs?: LogGroup;

  constructor(scope: Construct, id: string, props: PurchaseApiProps) {
    super(scope, id);
    const mode = props.accessLogs ?? 'off';
    const accessLogs = mode === 'off' ? undefined : new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION.accessLogs });
    if (accessLogs) acknowledgeServiceEncryptedLogs(accessLogs);
    this.accessLogs = accessLogs;

    this.api = newRestApi(this, mode, accessLogs);
    this.requestValidator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const methods = addRoutes(this.api, this.requestValidator, props);
    acknowledgeFindings(this.api, methods, props, mode, accessLogs);
  }

  /** The stage URL, ending in `/`. */
  get url(): string {
    return this.api.url;
  }

  /**
   * The same URL built from the API's id alone, without a reference to the stage: for the
   * environment of a function that is itself behind a route of this API (the stage depends on
   * the deployment, which depends on the route's method, which depends on the function).
   */
  get urlWithoutStageReference(): string {
    const stack = Stack.of(this);
    return `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE_NAME}/`;
  }
}

/** The REST API and its one stage; access logs only when the mode turns them on. */
function newRestApi(scope: Construct, mode: ApiAccessLogMode, accessLogs: LogGroup | undefined): RestApi {
  return new RestApi(scope, 'Api', {
    restApiName: `${Stack.of(scope).stackName}-api`,
    description: 'procure: purchases, licenses (IAM) and approval links',
    endpointTypes: [EndpointType.REGIONAL],
    cloudWatchRole: mode === 'create-account-role',
    // Retained: after `cdk destroy` the account setting still names a role that exists, and a
    // redeploy creates its own (the role's name is generated).
    ...(mode === 'create-account-role' ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
    deployOptions: {
      stageName: STAGE_NAME,
      ...(accessLogs ? { accessLogDestination: new LogGroupLogDestination(accessLogs), accessLogFormat: ACCESS_LOG_FORMAT } : {}),
      // Execution logs and data trace would record query strings and bodies: approval
      // signatures and purchase requests. Access logs, when on, are the record of calls.
      loggingLevel: MethodLoggingLevel.OFF,
      dataTraceEnabled: false,
      metricsEnabled: true,
      // X-Ray traces of API requests (sampled); API Gateway needs no role for them.
      tracingEnabled: true,
      // A purchasing API has no business with bursts; this also caps link-guessing attempts.
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
    },
  });
}

/** The IAM-authorized routes, each integrated with its function; returns their methods. */
function addRoutes(api: RestApi, requestValidator: RequestValidator, props: PurchaseApiProps): Method[] {
  const iam = { authorizationType: AuthorizationType.IAM, requestValidator } as const;
  const purchases = new LambdaIntegration(props.purchasesFunction, { allowTestInvoke: false });
  const licenses = new LambdaIntegration(props.licensesFunction, { allowTestInvoke: false });
  const quotes = new LambdaIntegration(props.quotesFunction, { allowTestInvoke: false });
  const resend = new LambdaIntegration(props.resendFunction, { allowTestInvoke: false });
  const listParams = Object.fromEntries(['status', 'since', 'limit', 'nextToken'].map((q) => [`method.request.querystring.${q}`, false]));

  const purchasesResource = api.root.addResource('purchases');
  const purchaseResource = purchasesResource.addResource('{id}');
  const byId = { ...iam, requestParameters: { 'method.request.path.id': true } };
  const methods = [
    purchasesResource.addMethod('POST', purchases, iam),
    purchasesResource.addMethod('GET', purchases, { ...iam, requestParameters: listParams }),
    purchaseResource.addMethod('GET', purchases, byId),
    purchaseResource.addResource('resolution').addMethod('POST', purchases, byId),
    purchaseResource.addResource('approvals').addResource('resend').addMethod('POST', resend, byId),
    api.root.addResource('licenses').addMethod('GET', licenses, { ...iam, requestParameters: { 'method.request.querystring.vendor': false } }),
    api.root.addResource('quotes').addMethod('POST', quotes, iam),
  ];
  return methods;
}

/**
 * Why the checks' findings on the routes and the stage do not apply (each reason below), so that
 * synth reports only what is left to fix.
 */
function acknowledgeFindings(api: RestApi, methods: Method[], props: PurchaseApiProps, mode: ApiAccessLogMode, accessLogs: LogGroup | undefined): void {
  for (const method of methods) {
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers of /purchases, /licenses and /quotes are AWS principals (operators, other services) authorized by IAM (SigV4, execute-api:Invoke); there are no end users and no user pool.',
    });
  }
  for (const fn of [props.purchasesFunction, props.licensesFunction, props.quotesFunction])
    acknowledgeSynchronousOnly(fn, 'API Gateway (Lambda proxy: an error is the 5xx answer)');
  const stage = Validations.of(api.deploymentStage);
  const noExecutionLogs =
    'Execution logging is off on purpose: it records query strings, and approval links carry their HMAC signature in ?sig=. Access logs (without query strings, when apiAccessLogs turns them on) record every call; the functions log their own errors.';
  stage.acknowledge({ id: 'AwsSolutions-APIG6', reason: noExecutionLogs });
  stage.acknowledge({ id: 'cdk-validator-cfnguard::api_gw_v1_execution_logging_enabled_check', reason: noExecutionLogs });
  // LambdaIntegration's permissions: principal apigateway.amazonaws.com with a SourceArn of this
  // API's execute-api ARN for the one method. The rule accepts only a literal string or a Ref /
  // GetAtt there and cannot read the Fn::Join CDK builds (test/infra/guard.test.ts checks the scope).
  Validations.of(api).acknowledge({
    id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
    reason:
      "Not public: each permission's principal is apigateway.amazonaws.com and its SourceArn this API's execute-api ARN for one method (an Fn::Join, which the rule cannot evaluate).",
  });
  if (!accessLogs) {
    const reason =
      'Access logs are off by default so the first deploy works on an account whose API Gateway CloudWatch role was never set; the operator turns them on with -c procure:apiAccessLogs=account-has-role (or create-account-role). Until then the functions log their own errors and the audit trail records every purchase request and decision.';
    stage.acknowledge({ id: 'AwsSolutions-APIG1', reason });
    stage.acknowledge({ id: 'Serverless-APIGWAccessLogging', reason });
  }
  if (mode === 'create-account-role') {
    // The role is created by RestApi (cloudWatchRole: true) with the policy AWS documents for it.
    Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account CloudWatch role: AWS documents the managed AmazonAPIGatewayPushToCloudWatchLogs policy for it, and it is the only policy the role has.",
    });
  }
  stage.acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'Low-volume internal API: purchase routes require IAM auth, approval routes an HMAC-signed single-use link; stage throttling (10 rps, burst 20) bounds abuse. Attach a WAF web ACL if the API is ever exposed more widely.',
  });
}
