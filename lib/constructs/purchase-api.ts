import { Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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

export interface PurchaseApiProps {
  /** POST /purchases, GET /purchases/{id} and POST /purchases/{id}/resolution. */
  readonly purchasesFunction: IFunction;
  /** GET /licenses. */
  readonly licensesFunction: IFunction;
}

/**
 * procure's REST API and its IAM-authorized routes: `POST /purchases`, `GET /purchases/{id}`,
 * `POST /purchases/{id}/resolution` (a person's finding on a NEEDS_ATTENTION purchase),
 * `GET /licenses` (callers sign with SigV4 and need execute-api:Invoke). The approval routes are
 * added to the same API by ApprovalApi, so the approval base URL is this API's URL.
 *
 * `cloudWatchRole: false`: the API Gateway CloudWatch role is one account-and-region-wide setting
 * (AWS::ApiGateway::Account) that this stack should not take over or reset on delete
 * (toolchain.md G9). Access logging needs it to be set once per account and region
 * (`aws apigateway update-account`, or any stack that owns it) before the first deploy.
 */
export class PurchaseApi extends Construct {
  readonly api: RestApi;
  /** Validates required path and query parameters (and bodies, where a method has a model). */
  readonly requestValidator: RequestValidator;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PurchaseApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });

    this.api = new RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'procure: purchases, licenses (IAM) and approval links',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Execution logs and data trace would record query strings and bodies: approval
        // signatures and purchase requests. Access logs above are the record of calls.
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // A purchasing API has no business with bursts; this also caps link-guessing attempts.
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
    });
    this.requestValidator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const iam = { authorizationType: AuthorizationType.IAM, requestValidator: this.requestValidator } as const;
    const purchases = new LambdaIntegration(props.purchasesFunction, { allowTestInvoke: false });
    const licenses = new LambdaIntegration(props.licensesFunction, { allowTestInvoke: false });

    const purchasesResource = this.api.root.addResource('purchases');
    const purchaseResource = purchasesResource.addResource('{id}');
    const byId = { ...iam, requestParameters: { 'method.request.path.id': true } };
    const methods = [
      purchasesResource.addMethod('POST', purchases, iam),
      purchaseResource.addMethod('GET', purchases, byId),
      purchaseResource.addResource('resolution').addMethod('POST', purchases, byId),
      this.api.root.addResource('licenses').addMethod('GET', licenses, { ...iam, requestParameters: { 'method.request.querystring.vendor': false } }),
    ];

    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Callers of /purchases and /licenses are AWS principals (operators, other services) authorized by IAM (SigV4, execute-api:Invoke); there are no end users and no user pool.',
      });
    }
    const stage = Validations.of(this.api.deploymentStage);
    stage.acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging is off on purpose: it records query strings, and approval links carry their HMAC signature in ?sig=. Access logs (without query strings) record every call; the functions log their own errors.',
    });
    stage.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Low-volume internal API: purchase routes require IAM auth, approval routes an HMAC-signed single-use link; stage throttling (10 rps, burst 20) bounds abuse. Attach a WAF web ACL if the API is ever exposed more widely.',
    });
  }

  /** The stage URL, ending in `/`. */
  get url(): string {
    return this.api.url;
  }
}
