import { Validations } from 'aws-cdk-lib';
import { AuthorizationType, LambdaIntegration, type IRequestValidator, type IRestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeSynchronousOnly } from './workflow-function';

export interface ApprovalApiProps {
  /** The API to add `/approvals/{id}` to (PurchaseApi's). */
  readonly api: IRestApi;
  /** The API's request validator. */
  readonly requestValidator: IRequestValidator;
  /** GET (confirmation page) and POST (decision) of an approval link. */
  readonly approvalsFunction: IFunction;
}

/**
 * The approval-link routes: `GET /approvals/{id}?sig=...` renders a confirmation page and changes
 * nothing (mail scanners prefetch links); `POST /approvals/{id}` decides. No API Gateway
 * authorizer: the approver clicks from a mail client, and the link itself is the credential - an
 * opaque 128-bit id plus an HMAC over id, approver and expiry, checked by the function, usable
 * once (conditional update) and only until it expires (local-aws-runtime.md §4.2).
 */
export class ApprovalApi extends Construct {
  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    const integration = new LambdaIntegration(props.approvalsFunction, { allowTestInvoke: false });
    acknowledgeSynchronousOnly(props.approvalsFunction, 'API Gateway (Lambda proxy: an error is the 5xx page)');
    const approval = props.api.root.addResource('approvals').addResource('{id}');
    const open = { authorizationType: AuthorizationType.NONE, requestValidator: props.requestValidator } as const;
    const methods = [
      // A link without its signature is refused at the edge; the function verifies it.
      approval.addMethod('GET', integration, { ...open, requestParameters: { 'method.request.path.id': true, 'method.request.querystring.sig': true } }),
      // The form posts the signature in its body (never in the URL), so only the id is required here.
      approval.addMethod('POST', integration, { ...open, requestParameters: { 'method.request.path.id': true } }),
    ];

    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Approval links are opened from an e-mail by an approver without AWS credentials. The HMAC-signed, approver-bound, single-use, expiring link is the credential and is verified by the ApprovalsApi function; GET has no side effects.',
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'No user pool: approvers are identified by the signed link bound to their address (and recorded in the audit trail), not by a Cognito login.',
      });
    }
  }
}
