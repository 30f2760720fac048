/**
 * An AWS service error as the loopback facades answer it: `code` becomes the AWS-JSON `__type`
 * (and the SDK's error name), `message` the error message.
 */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}
