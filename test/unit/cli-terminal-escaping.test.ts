import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderDecidedPage } from '../../lambdas/core/approval-page';
import type { ApprovalSummary } from '../../lambdas/core/ports';
import type { PurchaseView } from '../../lib/cli/api-client';
import { runDecision } from '../../lib/cli/decision-command';
import { printTable } from '../../lib/cli/output';
import { runtimeLog } from '../../lib/cli/runtime-report';
import { printAuditTrail, printPurchase, printPurchaseList, printQuote, stepLine } from '../../lib/cli/views';
import type { PurchaseListItem } from '../../lambdas/core/purchase-list';
import type { PurchaseQuote } from '../../lambdas/core/quote-purchase';

/**
 * Issue 9 §1, defence in depth: whatever was stored earlier, no CLI output lets stored text act on
 * the operator's terminal. ESC/CSI/OSC, BEL, C1 and bidi characters are printed as visible escapes.
 */
const HOSTILE = {
  osc8: '\x1b]8;;https://evil.example\x07click me\x1b]8;;\x07',
  eraseRows: '\x1b[1A\x1b[2K\x1b[1A\x1b[2K',
  bell: '\x07',
  c1Csi: '\u009b2J',
  nel: '\u0085',
  rlo: '\u202Egnp.exe',
  newline: 'line one\nAPPROVAL_DECIDED  APPROVED',
};
const ALL = Object.values(HOSTILE).join(' ');
/** Any character a terminal would act on (a newline between printed lines is split off first). */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;

let printed: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  printed = [];
});
function capture(): void {
  printed = [];
  const push = (...args: unknown[]): void => {
    printed.push(args.map(String).join(' '));
  };
  vi.spyOn(console, 'log').mockImplementation(push);
  vi.spyOn(console, 'error').mockImplementation(push);
}
function expectInert(): void {
  expect(printed.length).toBeGreaterThan(0);
  for (const line of printed) expect(line, JSON.stringify(line)).not.toMatch(ACTIVE);
}

describe('terminal output escapes stored text', () => {
  const purchase: PurchaseView = {
    purchaseId: 'pur-0123456789abcdef',
    status: 'AWAITING_APPROVAL',
    vendor: 'cocalc',
    requestId: 'req-1',
    reason: ALL,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    audit: [
      { at: '2030-01-01T00:00:00.000Z', type: 'REQUEST_RECEIVED', status: 'RECEIVED', actor: `eve ${HOSTILE.rlo}`, message: `request from ${ALL}` },
      { at: '2030-01-01T00:00:01.000Z', type: 'QUOTED', status: 'QUOTED', detail: { title: HOSTILE.osc8 } },
    ],
  } as PurchaseView;

  it('`procure audit`: the audit table', () => {
    capture();
    printAuditTrail(purchase.audit);
    expectInert();
    expect(printed.join('\n')).toContain('\\x1b]8;;https://evil.example\\x07');
    expect(printed.join('\n')).toContain('\\u202egnp');
    // One table row per entry: a newline in a value does not forge a row.
    expect(printed).toHaveLength(2 + purchase.audit.length);
  });

  it('`procure status`: the purchase fields', () => {
    capture();
    printPurchase(purchase);
    expectInert();
    expect(printed.find((l) => l.startsWith('reason'))).toContain('\\x1b[1A\\x1b[2K');
  });

  it('any table, headers included', () => {
    capture();
    printTable([{ [`col${HOSTILE.bell}`]: ALL }]);
    expectInert();
  });

  it('`procure list`: requester names and emails, approvers, on one row per purchase', () => {
    const item: PurchaseListItem = {
      purchaseId: 'pur-0123456789abcdef',
      requestId: 'req-1',
      status: 'AWAITING_APPROVAL',
      vendor: 'cocalc',
      amountUsd: 18,
      requester: { name: `Eve ${HOSTILE.osc8}${HOSTILE.newline}`, email: 'eve@example.com' },
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      ageSeconds: 3_900,
      pendingApprovers: [`boss${HOSTILE.bell}@example.com`],
      approvalExpiresAt: '2030-01-04T00:00:00.000Z',
      needsResolution: false,
    };
    capture();
    printPurchaseList([item, { ...item, purchaseId: 'pur-2', requester: { name: 'Eve', email: `eve${HOSTILE.rlo}@example.com` } }]);
    expectInert();
    // One row per purchase: a newline in a name does not forge a row.
    expect(printed).toHaveLength(2 + 2);
    expect(printed[2]).toContain('Eve \\x1b]8;;https://evil.example\\x07click me');
    expect(printed[3]).toContain('Eve <eve\\u202egnp.exe@example.com>');
    expect(printed[2]).toContain('boss\\x07@example.com');
  });

  it('`procure quote`: the item summary and the problems', () => {
    const quote = {
      requestId: 'req-1',
      vendor: 'cocalc',
      amountUsd: 18,
      summary: `CoCalc site license "${HOSTILE.eraseRows}"`,
      priceSource: 'cocalc-v3-formula',
      budget: { month: '2030-01', capUsd: 100, reservedUsd: 0, remainingUsd: 100, remainingAfterUsd: 82, fits: true },
      approval: { autoApprove: false, tier: 1, approvalsNeeded: 1, approvers: ['boss@example.com'], reason: 'a person must approve' },
      problems: [`maxCost: ${ALL}`],
      quotedAt: '2030-01-01T00:00:00.000Z',
    } as PurchaseQuote;
    capture();
    printQuote(quote);
    expectInert();
    expect(printed.find((l) => l.startsWith('item'))).toContain('\\x1b[1A\\x1b[2K');
  });

  it('workflow step lines and runtime log lines of `procure local`', () => {
    const line = stepLine({
      type: 'TaskStateExited',
      executionName: 'pur-0123456789abcdef',
      state: 'Checkout',
      outcome: 'failed',
      error: `Err${HOSTILE.c1Csi}`,
      cause: ALL,
    } as never);
    expect(line).not.toMatch(ACTIVE);
    const logged: string[] = [];
    runtimeLog(true, (l) => logged.push(l))(`handler said ${ALL}`);
    expect(logged[0]).not.toMatch(ACTIVE);
  });
});

describe('`procure approve` output', () => {
  let server: Server;
  let base: string;
  const summary: ApprovalSummary = {
    vendor: 'cocalc',
    item: 'CoCalc site license',
    amountUsd: 18,
    requester: { name: `Eve ${HOSTILE.osc8}`, email: 'eve@example.com' },
    reason: ALL,
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        req.method === 'POST'
          ? renderDecidedPage({ decision: 'APPROVED', approver: 'boss@example.com', decidedAt: '2030-01-01T00:00:00Z', summary })
          : '<h1>Approve?</h1>',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('prints the decided page with the requester text escaped', async () => {
    capture();
    const code = await runDecision('approve', [`${base}/approvals/${'A'.repeat(22)}?sig=${'b'.repeat(43)}`]);
    expect(code).toBe(0);
    expectInert();
    expect(printed.join('\n')).toContain('Eve \\x1b]8;;https://evil.example\\x07click me');
  });
});
