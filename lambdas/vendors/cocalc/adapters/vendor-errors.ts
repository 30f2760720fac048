import { VendorAuthError, VendorRateLimitedError, VendorRejectedError, type ProcureError } from '../../../core/errors';
import { CaptchaRequiredError, InsufficientCreditError } from '../core/errors';
import { scrubSecrets } from '../../../shared/redact';

/**
 * Turns a CoCalc error text into procure's typed error. CoCalc answers every handled failure with
 * HTTP 200 `{"error":"<message>"}` (cocalc-api-v2.md §2), so the text is all there is to go on.
 * This is the gateway's only error-mapping function.
 */
export function toVendorError(endpoint: string, vendorMessage: string, apiKey: string): ProcureError {
  const text = redactKey(vendorMessage, apiKey);
  const message = `CoCalc ${endpoint}: ${text}`;
  // §1: a bad key is "anonymous", never a 401; each endpoint words it differently.
  if (/must be signed in|anonymous/i.test(text)) return new VendorAuthError(message);
  // §2: "too many requests to <ep>; try again in N seconds (rule: ...)"; N may be 0 or 1 second.
  const wait = /too many requests.*?try again in (\d+(?:\.\d+)?) seconds?/i.exec(text);
  if (wait) return new VendorRateLimitedError(message, Number(wait[1]));
  // §4.7: the amount is currency(chargeAmount): "$1,234.56".
  const credit = /insufficient credit.*?\(you need \$([\d,]+(?:\.\d+)?)\)/i.exec(text);
  if (credit) return new InsufficientCreditError(message, Number(credit[1]!.replace(/,/g, '')));
  // §4.6: "reCaptcha token must be provided", "reCaptcha may be misconfigured", "Only humans ...".
  if (/recaptcha|only humans are allowed/i.test(text)) return new CaptchaRequiredError(message);
  return new VendorRejectedError(message);
}

/** Removes the API key from any text that will end up in an error message or a log. */
export function redactKey(text: string, apiKey: string): string {
  return scrubSecrets(text, [apiKey], '[redacted]');
}
