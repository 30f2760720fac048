import { SesMailer } from '../adapters/aws/ses-mailer';
import type { Mailer } from '../core/ports';
import { sesClient } from '../shared/aws-clients/sesv2';

/** Composition root (README.md): mail through SES v2. */
export function mailer(): Mailer {
  return new SesMailer(sesClient());
}
