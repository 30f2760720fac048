// Outgoing mail and the ledger that keeps a requester notice to one (part of core/ports.ts).

export interface Mail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Extra headers procure sets (e.g. `X-Procure-Approval-Link`): data a reader of the mail can
   * trust, unlike anything found in the body, which quotes requester-written text.
   */
  headers?: Record<string, string>;
}
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * Which requester notices a purchase has sent (core/notify-requester.ts): at most one per purchase
 * and key (`<kind>#<status>`), so a retried Lambda does not mail the requester twice.
 */
export interface NoticeLedger {
  /** Conditional write: true for the one caller that claims (purchase, key) first, false for every later one. */
  claim(purchaseId: string, key: string, at: string): Promise<boolean>;
  /** Gives a claim back after its mail could not be sent, so a retry may send it. */
  release(purchaseId: string, key: string): Promise<void>;
}
