import { randomBytes } from 'node:crypto';
import { createApprovalId, signApprovalLink, verifyApprovalSignature, type ApprovalLinkClaims } from '../lambdas/core/approval-link';
import { computeSiteLicenseCost } from '../lambdas/vendors/cocalc/core/pricing';
import { InvalidRequestError } from '../lambdas/core/errors';
import { parsePurchaseRequest } from '../lambdas/core/purchase-request';
import { cocalcRequestBody, INVALID_REQUEST_BODY, interserverRequestBody, PRICE_INPUTS } from './samples';
import { fmtNumber, opsPerSecond, type Row } from './measure';

/** Pure-CPU figures: the domain code every purchase runs, in this process, single-threaded. */
export interface MicroResults {
  quoteOpsPerSec: number;
  validateCocalcOpsPerSec: number;
  validateInterserverOpsPerSec: number;
  validateInvalidOpsPerSec: number;
  signVerifyOpsPerSec: number;
  verifyForgedOpsPerSec: number;
}

export function runMicro(ms: number): { results: MicroResults; rows: Row[] } {
  const quote = opsPerSecond((i) => computeSiteLicenseCost(PRICE_INPUTS[i % PRICE_INPUTS.length]!), ms);

  const cocalc = cocalcRequestBody('bench-cocalc-1');
  const interserver = interserverRequestBody('bench-is-1', 1);
  const validCocalc = opsPerSecond(() => parsePurchaseRequest(cocalc), ms);
  const validInterserver = opsPerSecond(() => parsePurchaseRequest(interserver), ms);
  const invalid = opsPerSecond(() => {
    try {
      parsePurchaseRequest(INVALID_REQUEST_BODY);
    } catch (err) {
      if (!(err instanceof InvalidRequestError)) throw err;
    }
  }, ms);

  const key = randomBytes(32);
  const claims: ApprovalLinkClaims = { approvalId: createApprovalId(), approver: 'approver@example.com', expiresAt: '2030-01-01T00:00:00.000Z' };
  const signVerify = opsPerSecond(() => {
    const sig = signApprovalLink(claims, key);
    if (!verifyApprovalSignature(claims, sig, key)) throw new Error('a fresh signature did not verify');
  }, ms);
  const good = signApprovalLink(claims, key);
  const forged = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
  const verifyForged = opsPerSecond(() => {
    if (verifyApprovalSignature(claims, forged, key)) throw new Error('a forged signature verified');
  }, ms);

  const results: MicroResults = {
    quoteOpsPerSec: quote.opsPerSec,
    validateCocalcOpsPerSec: validCocalc.opsPerSec,
    validateInterserverOpsPerSec: validInterserver.opsPerSec,
    validateInvalidOpsPerSec: invalid.opsPerSec,
    signVerifyOpsPerSec: signVerify.opsPerSec,
    verifyForgedOpsPerSec: verifyForged.opsPerSec,
  };
  const per = (ops: number) => `${fmtNumber(ops)} ops/s`;
  const rows: Row[] = [
    {
      section: '1 quote',
      metric: 'computeSiteLicenseCost',
      value: per(quote.opsPerSec),
      note: `${PRICE_INPUTS.length} licence shapes in turn, exact rationals`,
    },
    { section: '2 validate', metric: 'parsePurchaseRequest (CoCalc)', value: per(validCocalc.opsPerSec), note: 'zod schema, valid body' },
    { section: '2 validate', metric: 'parsePurchaseRequest (InterServer)', value: per(validInterserver.opsPerSec), note: 'zod schema, valid body' },
    {
      section: '2 validate',
      metric: 'parsePurchaseRequest (invalid)',
      value: per(invalid.opsPerSec),
      note: 'every issue collected, InvalidRequestError thrown',
    },
    { section: '3 approval link', metric: 'sign + verify', value: per(signVerify.opsPerSec), note: 'HMAC-SHA256 twice, constant-time compare' },
    { section: '3 approval link', metric: 'verify (forged sig)', value: per(verifyForged.opsPerSec), note: 'rejected after one HMAC' },
  ];
  return { results, rows };
}
