import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { capReasons, MAX_REASON_CHARS, MAX_REASONS } from '../../lambdas/core/capped-reasons';
import type { EventPublisher } from '../../lambdas/core/ports';
import { nonPublicIpv4Reason } from '../../lambdas/vendors/interserver/core/public-ipv4';
import { intakeIssues, parsePurchaseRequest, purchaseRequestSchema } from '../../lambdas/core/purchase-request';
import { hashRequest, RequestRejectedError, submitPurchase, type SubmitPurchaseDeps } from '../../lambdas/core/submit-purchase';
import { EVENTS, purchaseIdFor } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/intake';
import { FakeWorkflowStarter } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** The reasons a body is refused with, or [] when it is accepted. */
function issuesOf(body: Record<string, unknown>): string[] {
  const r = purchaseRequestSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
const withIp = (ip: string) => interserverRequest({ item: { ip, licenseType: 5006 } });
const withCoupon = (coupon: unknown) => interserverRequest({ item: { ip: '8.8.8.8', licenseType: 5006, coupon } });

describe('InterServer IPs: public IPv4 only', () => {
  it.each([
    '0.0.0.0',
    '0.255.1.2',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.9.9.9',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
  ])('refuses %s, naming item.ip', (ip) => {
    const issues = issuesOf(withIp(ip));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^item\.ip: ip must be a public IPv4 address: /);
  });

  it.each(['999.1.1.1', '1.2.3', 'localhost'])('refuses the malformed %s with the format issue alone', (ip) => {
    expect(issuesOf(withIp(ip))).toEqual(['item.ip: ip must be an IPv4 address']);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.254',
  ])('accepts the public address %s', (ip) => expect(issuesOf(withIp(ip))).toEqual([]));

  it.each(['192.0.2.1', '198.51.100.7', '203.0.113.10'])('accepts the documentation address %s on purpose (sandbox and demo use)', (ip) => {
    expect(nonPublicIpv4Reason(ip)).toBeUndefined();
    expect(issuesOf(withIp(ip))).toEqual([]);
  });
});

describe('coupons: [A-Za-z0-9_-]{1,64}', () => {
  it.each([["' OR 1=1 --"], ['<coupon/>'], ['SAVE\r\nBcc: x'], [''], ['a'.repeat(65)], ['SAVE 10'], ['ÄBC'], [12]])(
    'refuses %j, naming item.coupon',
    (coupon) => {
      const issues = issuesOf(withCoupon(coupon));
      expect(issues.length).toBeGreaterThan(0);
      expect(issues.every((i) => i.startsWith('item.coupon: '))).toBe(true);
    },
  );
  it.each(['SANDBOX10', 'spring_sale-2026', 'a'.repeat(64)])('accepts %s', (coupon) => expect(issuesOf(withCoupon(coupon))).toEqual([]));
});

describe('requester email: local part at most 64', () => {
  it.each([
    [`${'a'.repeat(64)}@example.com`, true],
    [`${'a'.repeat(65)}@example.com`, false],
    [`${'a'.repeat(300)}@example.com`, false],
  ])('%s accepted: %s', (email, ok) => {
    const issues = issuesOf(cocalcRequest({ requester: { email, name: 'Ada' } }));
    if (ok) expect(issues).toEqual([]);
    else expect(issues.some((i) => i.startsWith('requester.email: ') && /64/.test(i))).toBe(true);
  });
});

describe('maxCost: a positive whole number of cents within bounds', () => {
  it.each([
    [0.001, /at least 0\.01/],
    [1e-131, /at least 0\.01/],
    [0, /at least 0\.01/],
    [-5, /at least 0\.01/],
    [12.345, /whole number of cents/],
    [1_000_000.01, /at most 1000000/],
    [1e300, /at most 1000000/],
  ])('refuses %d, naming maxCost', (maxCost, message) => {
    const issues = issuesOf(cocalcRequest({ maxCost }));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.startsWith('maxCost: '))).toBe(true);
    expect(issues.join('; ')).toMatch(message);
  });
  it.each([0.01, 0.1, 18, 17.99, 0.29, 1.1, 1_000_000])('accepts %d', (maxCost) => expect(issuesOf(cocalcRequest({ maxCost }))).toEqual([]));
});

describe('CoCalc ranges must end in the future (at intake)', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const ranged = (range: [string, string]) =>
    parsePurchaseRequest(
      cocalcRequest({ item: { description: { ...(cocalcRequest().item as { description: object }).description, period: 'range', range } } }),
    );
  it.each([
    [['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'], false],
    [['2026-12-01T00:00:00Z', '2026-12-06T12:00:00Z'], false],
    [['2026-12-01T00:00:00Z', '2026-12-06T12:00:01Z'], true],
    [['2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z'], true],
  ] as Array<[[string, string], boolean]>)('%j accepted: %s', (range, ok) => {
    const issues = intakeIssues(ranged(range), now);
    if (ok) expect(issues).toEqual([]);
    else expect(issues).toEqual([expect.stringMatching(/^item\.description\.range: range must end in the future/)]);
  });
  it('does not apply to monthly or InterServer requests', () => {
    expect(intakeIssues(parsePurchaseRequest(cocalcRequest()), now)).toEqual([]);
    expect(intakeIssues(parsePurchaseRequest(interserverRequest()), now)).toEqual([]);
  });
});

describe('reason capping', () => {
  it('keeps at most MAX_REASONS reasons of at most MAX_REASON_CHARS, and says what was cut', () => {
    const capped = capReasons(Array.from({ length: 50 }, (_, i) => `r${i}: ${'x'.repeat(5000)}`));
    expect(capped).toHaveLength(MAX_REASONS + 1);
    expect(capped.every((r) => r.length <= MAX_REASON_CHARS)).toBe(true);
    expect(capped[0]).toMatch(/more characters\)$/);
    expect(capped.at(-1)).toBe('... and 30 more reason(s)');
  });
});

class RecordingPublisher implements EventPublisher {
  readonly events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    this.events.push({ detailType, detail });
  }
}

// DynamoDB is real (dynalite); Step Functions and EventBridge are in-memory fakes of their ports.
describe('intake refusals are stored and published within the service limits', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = db.doc;
  });
  afterAll(async () => db.close());
  const deps = (): SubmitPurchaseDeps & { workflow: FakeWorkflowStarter; audit: DynamoAuditLog; purchases: DynamoPurchaseStore } => ({
    purchases: new DynamoPurchaseStore(doc, db.stateTable),
    audit: new DynamoAuditLog(doc, db.auditTable),
    workflow: new FakeWorkflowStarter(),
  });
  const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

  /** A request with ~1.2 MB of unknown keys. */
  function hugeBody(requestId: string): Record<string, unknown> {
    const body = cocalcRequest({ requestId });
    for (let i = 0; i < 12_000; i += 1) body[`unknown_key_${i}_${'k'.repeat(80)}`] = 1;
    expect(bytes(body)).toBeGreaterThan(1_200_000);
    return body;
  }

  it('refuses a 1.2 MB detail of unknown keys with a stored reason under 400 KB and an event under 256 KB', async () => {
    const d = deps();
    const events = new RecordingPublisher();
    const handler = makeHandler({ ...d, events });
    const result = await handler({
      version: '0',
      id: 'e',
      'detail-type': EVENTS.requested,
      source: EVENTS.defaultRequestSource,
      account: '0',
      time: 't',
      region: 'us-east-1',
      resources: [],
      detail: hugeBody('huge-event'),
    } as EventBridgeEvent<string, unknown>);

    const purchaseId = purchaseIdFor('huge-event');
    expect(result).toMatchObject({ outcome: 'rejected', purchaseId });
    const [stored] = await d.audit.list(purchaseId);
    expect(stored).toMatchObject({ type: 'REQUEST_REJECTED', status: 'INVALID' });
    expect(bytes(stored)).toBeLessThan(20_000);
    expect(JSON.stringify(stored?.detail)).toMatch(/Unrecognized key/);
    expect(events.events).toHaveLength(1);
    expect(events.events[0]?.detailType).toBe(EVENTS.failed);
    expect(bytes(events.events[0]?.detail)).toBeLessThan(20_000);
    expect(d.workflow.executions.size).toBe(0);
  });

  it('refuses a detail nested 5,000 levels deep with an audit entry and a Failed event', async () => {
    const d = deps();
    const events = new RecordingPublisher();
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i += 1) deep = { x: deep };
    const result = await makeHandler({ ...d, events })({
      version: '0',
      id: 'e',
      'detail-type': EVENTS.requested,
      source: EVENTS.defaultRequestSource,
      account: '0',
      time: 't',
      region: 'us-east-1',
      resources: [],
      detail: { ...cocalcRequest({ requestId: 'deep-event' }), extra: deep, reason: deep },
    } as EventBridgeEvent<string, unknown>);
    expect(result).toMatchObject({ outcome: 'rejected', purchaseId: purchaseIdFor('deep-event') });
    expect((await d.audit.list(purchaseIdFor('deep-event'))).map((e) => e.type)).toEqual(['REQUEST_REJECTED']);
    expect(events.events[0]?.detail.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^reason: /), expect.stringMatching(/extra/)]));
  });

  it('answers the same body over the API path with a capped 400 reason list', async () => {
    const err = await submitPurchase(deps(), hugeBody('huge-api'), 'api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestRejectedError);
    const rejected = err as RequestRejectedError;
    expect(bytes({ message: rejected.message, reasons: rejected.issues })).toBeLessThan(20_000);
  });

  it.each([
    ['a private IP', withIp('10.0.0.1'), 'item.ip'],
    ['a free-text coupon', withCoupon("' OR 1=1 --"), 'item.coupon'],
    ['maxCost 1e-131', cocalcRequest({ maxCost: 1e-131 }), 'maxCost'],
  ])('refuses %s before anything is created, naming %s', async (_n, body, field) => {
    const d = deps();
    const requestId = `refused-${field}`;
    const err = await submitPurchase(d, { ...body, requestId }, 'api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestRejectedError);
    expect((err as RequestRejectedError).issues.join('; ')).toContain(`${field}: `);
    expect(await d.purchases.get(purchaseIdFor(requestId))).toBeUndefined();
    expect(d.workflow.executions.size).toBe(0);
  });

  it('refuses a CoCalc range that has already ended, but never a repeat of a request accepted while it had not', async () => {
    const d = deps();
    const description = {
      ...(cocalcRequest().item as { description: object }).description,
      period: 'range',
      range: ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
    };
    const body = cocalcRequest({ requestId: 'range-past', item: { description } });
    const err = await submitPurchase({ ...d, clock: () => new Date('2026-03-01T00:00:00Z') }, body, 'api').catch((e: unknown) => e);
    expect((err as RequestRejectedError).issues).toEqual([expect.stringMatching(/^item\.description\.range: range must end in the future/)]);

    const accepted = cocalcRequest({ requestId: 'range-then', item: { description } });
    await submitPurchase({ ...d, clock: () => new Date('2026-01-15T00:00:00Z') }, accepted, 'api');
    await expect(submitPurchase({ ...d, clock: () => new Date('2026-03-01T00:00:00Z') }, accepted, 'api')).resolves.toMatchObject({ existing: true });
  });
});

describe('REQUEST_RECEIVED is never missing', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = db.doc;
  });
  afterAll(async () => db.close());
  const deps = () => ({
    purchases: new DynamoPurchaseStore(doc, db.stateTable),
    audit: new DynamoAuditLog(doc, db.auditTable),
    workflow: new FakeWorkflowStarter(),
  });
  const received = async (d: ReturnType<typeof deps>, id: string) => (await d.audit.list(id)).filter((e) => e.type === 'REQUEST_RECEIVED');

  it('is written by the retry when the first attempt died between the purchase record and the audit entry', async () => {
    const d = deps();
    const body = interserverRequest({ requestId: 'died-after-record' });
    const purchaseId = purchaseIdFor('died-after-record');
    const request = parsePurchaseRequest(body);
    const claim = await d.purchases.claimRequest(request.requestId, purchaseId, hashRequest(request));
    await d.purchases.create({
      purchaseId,
      requestId: request.requestId,
      vendor: 'interserver',
      status: 'RECEIVED',
      requestHash: hashRequest(request),
      createdAt: '2026-12-06T08:00:00.000Z',
      updatedAt: '2026-12-06T08:00:00.000Z',
    });

    await submitPurchase(d, body, 'event');

    const entries = await received(d, purchaseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ at: claim.claimedAt, actor: 'requester:grace@example.com' });
    expect(d.workflow.executions.size).toBe(1);
  });

  it('is written before the purchase record: a first attempt that dies at the record leaves it, and the retry adds no second one', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'died-at-record' });
    const purchaseId = purchaseIdFor('died-at-record');
    const failing = {
      ...d,
      purchases: Object.assign(Object.create(d.purchases) as DynamoPurchaseStore, {
        create: async () => {
          throw new Error('connection reset');
        },
      }),
    };
    await expect(submitPurchase(failing, body, 'api')).rejects.toThrow(/connection reset/);
    expect(await d.purchases.get(purchaseId)).toBeUndefined();
    expect(await received(d, purchaseId)).toHaveLength(1);

    await submitPurchase(d, body, 'api');
    expect(await received(d, purchaseId)).toHaveLength(1);
    expect(await d.purchases.get(purchaseId)).toMatchObject({ status: 'RECEIVED', executionArn: expect.stringContaining(purchaseId) });
  });

  it('is written once for 20 concurrent submissions racing a first attempt that died right after claiming', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'died-after-claim' });
    const purchaseId = purchaseIdFor('died-after-claim');
    const request = parsePurchaseRequest(body);
    await d.purchases.claimRequest(request.requestId, purchaseId, hashRequest(request));

    await Promise.all(Array.from({ length: 20 }, () => submitPurchase(d, structuredClone(body), 'api')));

    expect(await received(d, purchaseId)).toHaveLength(1);
    expect(d.workflow.executions.size).toBe(1);
  });
});
