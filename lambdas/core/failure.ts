/**
 * Reading the `{Error, Cause}` objects a Step Functions Catch puts at `$.failure` / `$.mismatch`.
 * For a Lambda error, Cause is a JSON string `{"errorType","errorMessage","trace"}`; for states
 * like `States.Timeout` it is plain text (or absent). One reader for both, so no handler guesses.
 */

/** The parts of a caught error procure acts on. */
export interface FailureDescription {
  /** The error name Step Functions matched on (`Error`), e.g. "QuoteMismatchError", "States.Timeout". */
  error: string;
  /** The human-readable message: `errorMessage` from a JSON cause, else the plain cause text. */
  message: string;
}

/** Parses a caught error; tolerant of a missing or malformed Cause. */
export function describeFailure(info: { Error?: string; Cause?: string } | undefined): FailureDescription {
  const error = info?.Error || 'UnknownError';
  const cause = info?.Cause ?? '';
  let message = cause;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
      message = String((parsed as { errorMessage: unknown }).errorMessage);
    }
  } catch {
    // plain text cause: keep it as it is
  }
  return { error, message: message || error };
}

/** "QuoteMismatchError: vendor total ...", for reasons stored on a purchase and sent in events. */
export function failureReason(info: { Error?: string; Cause?: string } | undefined): string {
  const { error, message } = describeFailure(info);
  return message === error ? error : `${error}: ${message}`;
}
