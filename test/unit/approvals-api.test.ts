import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';

import { createApprovalId, signApprovalLink } from '../../lambdas/core/approval-link';
import type { Mail, PurchaseStore } from '../../lambdas/core/ports';
import type { RequestApprovalPayload } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/approvals-api';
import { makeHandler as makeRequestApproval } from '../../lambdas/handlers/request-approval';
import { approvalWorld, everything, linkIn, purchaseAwaitingApproval, SIGNING_KEY, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

function getEvent(id: string, sig?: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: '/approvals/{id}',
    path: `/approvals/${id}`,
    headers: { 'User-Agent': 'SafeLinks-Scanner/1.0' },
    pathParameters: { id },
    queryStringParameters: sig === undefined ? null : { sig },
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '203.0.113.50', userAgent: 'SafeLinks-Scanner/1.0' } },
  } as unknown as APIGatewayProxyEvent;
}
function postEvent(id: string, form: Record<string, string>, base64 = false): APIGatewayProxyEvent {
  const body = new URLSearchParams(form).toString();
  return {
    httpMethod: 'POST',
    resource: '/approvals/{id}',
    path: `/approvals/${id}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Firefox/130' },
    pathParameters: { id },
    queryStringParameters: null,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
    requestContext: { identity: { sourceIp: '198.51.100.7', userAgent: 'Firefox/130' } },
  } as unknown as APIGatewayProxyEvent;
}

// DynamoDB is real (dynalite). Step Functions is an in-memory fake of the TaskCallback port that,
// like the service, accepts one answer per token; SES is a fake Mailer outbox.
describe('approvals API', () => {
  let db: LocalDynamo;
  let world: ApprovalWorld;
  let now: Date;
  let api: ReturnType<typeof makeHandler>;

  beforeAll(async () => {
    db = await startLocalDynamo();
    world = approvalWorld(db);
    api = makeHandler({ ...world, clock: () => now });
  });
  afterAll(async () => db.close());
  beforeEach(() => {
    now = new Date('2030-03-01T10:00:00.000Z');
  });

  /** Runs RequestApproval for a new purchase and returns each approver's link. */
  async function mailedLinks(
    requestId: string,
    over: Record<string, unknown> = {},
  ): Promise<{ payload: RequestApprovalPayload; links: Array<ReturnType<typeof linkIn>>; mails: Mail[] }> {
    const payload = await purchaseAwaitingApproval(world, requestId, over);
    world.mailer.outbox.length = 0;
    await makeRequestApproval({ ...world, clock: () => now })(payload);
    const mails = [...world.mailer.outbox];
    return { payload, mails, links: mails.map((m) => linkIn(m)) };
  }

  function deliveriesFor(token: string) {
    return world.callback.delivered.filter((d) => d.taskToken === token);
  }

  it('shows a confirm page for GET and changes nothing, however often a scanner opens it', async () => {
    const { links, payload } = await mailedLinks('ap-get');
    const before = await everything(world, db);

    const pages = await Promise.all([1, 2, 3].map(() => api(getEvent(links[0]!.id, links[0]!.sig))));

    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<form method="post"');
      expect(page.headers).toMatchObject({ 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
      expect(page.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
    }
    expect(await everything(world, db)).toEqual(before);
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
  });

  it('escapes a requester name like <script> on the confirm page', async () => {
    const { links } = await mailedLinks('ap-xss', { requester: { email: 'eve@example.com', name: '<script>alert(1)</script>' } });

    const page = await api(getEvent(links[0]!.id, links[0]!.sig));

    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('approves on POST: one SendTaskSuccess with the decision the Choice reads, audit and status', async () => {
    const { links, payload } = await mailedLinks('ap-approve');
    const { id, sig } = links[0]!;

    const res = await api(postEvent(id, { sig, decision: 'approve', comment: 'go ahead' }));

    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Purchase approved');
    expect(deliveriesFor(payload.taskToken)).toEqual([
      { taskToken: payload.taskToken, output: { decision: 'APPROVED', approver: 'alice@example.com', decidedAt: now.toISOString(), comment: 'go ahead' } },
    ]);
    const decided = (await world.audit.list(payload.state.purchaseId)).find((e) => e.type === 'APPROVAL_DECIDED');
    expect(decided).toMatchObject({
      status: 'APPROVED',
      actor: 'alice@example.com',
      detail: { approver: 'alice@example.com', decidedAt: now.toISOString(), sourceIp: '198.51.100.7', userAgent: 'Firefox/130', comment: 'go ahead' },
    });
    expect((await world.purchases.get(payload.state.purchaseId))?.status).toBe('APPROVED');
  });

  it('rejects on POST with decision REJECTED, also from a base64-encoded body', async () => {
    const { links, payload } = await mailedLinks('ap-reject');

    const res = await api(postEvent(links[1]!.id, { sig: links[1]!.sig, decision: 'reject' }, true));

    expect(res.statusCode).toBe(200);
    expect(deliveriesFor(payload.taskToken)[0]?.output).toMatchObject({ decision: 'REJECTED', approver: 'bob@example.com' });
    expect((await world.purchases.get(payload.state.purchaseId))?.status).toBe('REJECTED');
  });

  it('answers a forged signature with 403 for GET and POST, and decides nothing', async () => {
    const { links, payload } = await mailedLinks('ap-forged');
    const forged = signApprovalLink(
      { approvalId: links[0]!.id, approver: 'alice@example.com', expiresAt: '2030-03-01T10:59:00.000Z' },
      'attacker-key-0123456789abcdef',
    );

    const get = await api(getEvent(links[0]!.id, forged));
    const post = await api(postEvent(links[0]!.id, { sig: forged, decision: 'approve' }));
    const missing = await api(postEvent(links[0]!.id, { decision: 'approve' }));

    expect([get.statusCode, post.statusCode, missing.statusCode]).toEqual([403, 403, 403]);
    expect(post.body).toContain('not valid');
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
    expect((await world.approvals.get(links[0]!.id))?.status).toBe('PENDING');
  });

  it('answers another approver’s signature on this link with 403', async () => {
    const { links, payload } = await mailedLinks('ap-swap');

    const res = await api(postEvent(links[0]!.id, { sig: links[1]!.sig, decision: 'approve' }));

    expect(res.statusCode).toBe(403);
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
  });

  it('answers an expired link with 410 and decides nothing', async () => {
    const { links, payload } = await mailedLinks('ap-expired');
    now = new Date(now.getTime() + 2 * 3600_000);

    const get = await api(getEvent(links[0]!.id, links[0]!.sig));
    const post = await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    expect([get.statusCode, post.statusCode]).toEqual([410, 410]);
    expect(post.body).toContain('expired');
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
  });

  it('answers a replayed POST with 409 and applies the first decision only', async () => {
    const { links, payload } = await mailedLinks('ap-replay');
    const { id, sig } = links[0]!;
    await api(postEvent(id, { sig, decision: 'approve' }));

    const replay = await api(postEvent(id, { sig, decision: 'reject' }));

    expect(replay.statusCode).toBe(409);
    expect(replay.body).toContain('already decided');
    expect(deliveriesFor(payload.taskToken)).toHaveLength(1);
    expect(deliveriesFor(payload.taskToken)[0]?.output).toMatchObject({ decision: 'APPROVED' });
    expect((await world.approvals.get(id))?.status).toBe('APPROVED');
  });

  it('lets exactly one of two approvers deciding at the same moment win; SendTaskSuccess is called once', async () => {
    const { links, payload } = await mailedLinks('ap-race');

    const results = await Promise.all([
      api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' })),
      api(postEvent(links[1]!.id, { sig: links[1]!.sig, decision: 'reject' })),
    ]);

    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(deliveriesFor(payload.taskToken)).toHaveLength(1);
    const decidedEntries = (await world.audit.list(payload.state.purchaseId)).filter((e) => e.type === 'APPROVAL_DECIDED');
    expect(decidedEntries).toHaveLength(1);
  });

  it('lets only one of ten concurrent double-clicks through', async () => {
    const { links, payload } = await mailedLinks('ap-clicks');

    const results = await Promise.all(Array.from({ length: 10 }, () => api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }))));

    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(deliveriesFor(payload.taskToken)).toHaveLength(1);
  });

  it('tells a second approver opening the link later that the purchase was decided', async () => {
    const { links } = await mailedLinks('ap-later');
    await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    const page = await api(getEvent(links[1]!.id, links[1]!.sig));

    expect(page.statusCode).toBe(409);
  });

  it('shows the expired page when the workflow already stopped waiting (TaskTimedOut)', async () => {
    const { links, payload } = await mailedLinks('ap-closed');
    world.callback.close(payload.taskToken);

    const res = await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    expect(res.statusCode).toBe(410);
    expect((await world.audit.list(payload.state.purchaseId)).at(-1)).toMatchObject({ type: 'APPROVAL_NOT_DELIVERED', status: 'EXPIRED' });
  });

  it('decides nothing once the workflow has ended the purchase, even while the link itself is still valid', async () => {
    const { links, payload } = await mailedLinks('ap-ended');
    const { purchaseId } = payload.state;
    await world.purchases.update(purchaseId, { status: 'EXPIRED', reason: 'nobody decided on the approval in time' });
    const before = await everything(world, db);

    const res = await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This approval link has expired');
    expect(await everything(world, db)).toEqual(before);
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
  });

  it('does not move a purchase that has ended back to APPROVED when a late decision is recorded', async () => {
    const { links, payload } = await mailedLinks('ap-late-status');
    const { purchaseId } = payload.state;
    // The purchase ends between this link's checks and its status write: simulate with a store
    // that ends it just before the write.
    const store = world.purchases;
    const ending: PurchaseStore = {
      claimRequest: (...args) => store.claimRequest(...args),
      create: (r) => store.create(r),
      get: (id) => store.get(id),
      update: async (id, patch, options) => {
        await store.update(purchaseId, { status: 'EXPIRED' });
        return store.update(id, patch, options);
      },
    };
    world.callback.close(payload.taskToken);
    const lateApi = makeHandler({ ...world, purchases: ending, clock: () => now });

    const res = await lateApi(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    expect(res.statusCode).toBe(410);
    expect((await world.purchases.get(purchaseId))?.status).toBe('EXPIRED');
    expect((await world.audit.list(purchaseId)).map((a) => a.type).slice(-2)).toEqual(['APPROVAL_DECIDED', 'APPROVAL_NOT_DELIVERED']);
  });

  it('delivers the stored decision when the same link is posted again after SendTaskSuccess failed', async () => {
    const { links, payload } = await mailedLinks('ap-redeliver');
    const { id, sig } = links[0]!;
    world.callback.failNext = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const failed = await api(postEvent(id, { sig, decision: 'approve' }));

    const retried = await api(postEvent(id, { sig, decision: 'reject' }));

    expect(failed.statusCode).toBe(500);
    expect(retried.statusCode).toBe(409); // too soon: the first request might still be delivering
    expect(deliveriesFor(payload.taskToken)).toEqual([]);

    now = new Date(now.getTime() + 21_000);
    const later = await api(postEvent(id, { sig, decision: 'reject' }));

    expect(later.statusCode).toBe(200);
    expect(deliveriesFor(payload.taskToken)).toEqual([expect.objectContaining({ output: expect.objectContaining({ decision: 'APPROVED' }) })]);
  });

  it('a double click: the second POST, while the first is still delivering, neither re-sends nor spoils the first', async () => {
    const { links, payload } = await mailedLinks('ap-double-click');
    const { id, sig } = links[0]!;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const delivering = new Promise<void>((r) => (entered = r));
    const slow = makeHandler({
      ...world,
      clock: () => now,
      callback: {
        succeed: async (token, output) => {
          entered();
          await gate; // SendTaskSuccess in flight
          return world.callback.succeed(token, output);
        },
        fail: (token, error) => world.callback.fail(token, error),
      },
    });

    const first = slow(postEvent(id, { sig, decision: 'approve' }));
    await delivering;
    const second = await slow(postEvent(id, { sig, decision: 'approve' }));
    release();

    expect(second.statusCode).toBe(409);
    expect((await first).statusCode).toBe(200);
    expect(deliveriesFor(payload.taskToken)).toHaveLength(1);
    const types = (await world.audit.list(payload.state.purchaseId)).map((a) => a.type);
    expect(types.filter((t) => t === 'APPROVAL_DECIDED')).toHaveLength(1);
    expect(types).not.toContain('APPROVAL_NOT_DELIVERED');
  });

  it('answers unknown and malformed ids with 404', async () => {
    const unknown = createApprovalId();
    const sig = signApprovalLink({ approvalId: unknown, approver: 'alice@example.com', expiresAt: '2030-03-01T10:59:00.000Z' }, SIGNING_KEY);

    expect((await api(getEvent(unknown, sig))).statusCode).toBe(404);
    expect((await api(postEvent('../../etc/passwd', { sig, decision: 'approve' }))).statusCode).toBe(404);
  });

  it('answers a missing or doubled decision with 400 and decides nothing', async () => {
    const { links, payload } = await mailedLinks('ap-badform');
    const { id, sig } = links[0]!;
    const doubled = { ...postEvent(id, {}), body: `sig=${encodeURIComponent(sig)}&decision=approve&decision=reject` };

    expect((await api(postEvent(id, { sig, decision: 'maybe' }))).statusCode).toBe(400);
    expect((await api(doubled)).statusCode).toBe(400);
    expect(deliveriesFor(payload.taskToken)).toEqual([]);
  });

  it('never writes the task token, a link signature or the signing key into the audit trail', async () => {
    const { links, payload } = await mailedLinks('ap-secrets');
    await api(getEvent(links[0]!.id, links[0]!.sig));
    await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve', comment: `see ${links[1]!.url}` }));
    await api(postEvent(links[1]!.id, { sig: links[1]!.sig, decision: 'approve' }));

    const { audit } = await everything(world, db);

    expect(audit).toContain(payload.state.purchaseId);
    expect(audit).not.toContain(payload.taskToken);
    expect(audit).not.toContain('fake-task-token');
    for (const link of links) expect(audit).not.toContain(link.sig);
    expect(audit).not.toContain(SIGNING_KEY);
  });

  it('returns audit entries in time order', async () => {
    const { links, payload } = await mailedLinks('ap-order');
    now = new Date(now.getTime() + 60_000);
    await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    const entries = await world.audit.list(payload.state.purchaseId);

    // The requester's approval notice follows the decision (approvals-api-notices.test.ts).
    expect(entries.map((e) => e.type)).toEqual(['APPROVAL_SENT', 'APPROVAL_DECIDED', 'REQUESTER_NOTIFIED']);
    expect([...entries].sort((a, b) => a.seq.localeCompare(b.seq))).toEqual(entries);
  });
});
