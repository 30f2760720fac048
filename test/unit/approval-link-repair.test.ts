import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalApprovalRef, repairApprovalId, repairSignature } from '../../lambdas/core/approval-link-repair';
import { makeHandler } from '../../lambdas/handlers/approvals-api';
import { makeHandler as makeRequestApproval } from '../../lambdas/handlers/request-approval';
import { approvalWorld, linkIn, purchaseAwaitingApproval, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

/** Issue 9 §5: a link a mail client mangled still leads to a working decision. */
const ID = 'AbC_dEf-0123456789_-Zz';
const SIG = 'x'.repeat(40) + '_-Q';

describe('approval link repair', () => {
  it.each(['', '/', '//', ')', '.', '>', ').', '&gt;', '&amp;', '"', "'", ']', '%29', '>.'])('takes %j after an id or a signature for mangling', (junk) => {
    expect(repairApprovalId(`${ID}${junk}`)).toBe(ID);
    expect(repairSignature(`${SIG}${junk}`)).toBe(SIG);
  });

  it.each([
    ['a character of the alphabet', 'A'],
    ['other text', 'x?evil'],
    ['a second id', `/${ID}`],
  ])('refuses %s after the value', (_what, tail) => {
    expect(repairApprovalId(`${ID}${tail}`)).toBeUndefined();
    expect(repairSignature(`${SIG}${tail}`)).toBeUndefined();
  });

  it('refuses values of the wrong length or alphabet', () => {
    expect(repairApprovalId(ID.slice(1))).toBeUndefined();
    expect(repairSignature(SIG.slice(1))).toBeUndefined();
    expect(repairApprovalId(`${ID.slice(1)}=`)).toBeUndefined();
    expect(repairApprovalId(undefined)).toBeUndefined();
  });

  it('points back to the canonical link from the requested path, keeping any prefix', () => {
    const base = 'https://api.example.com';
    for (const path of [`/prod/approvals/${ID}/`, `/prod/approvals/${ID})`, `/prod/approvals/${ID}).//`, `/prod/approvals/${ID}`]) {
      expect(new URL(canonicalApprovalRef(path, ID, SIG), `${base}${path}?sig=x`).toString(), path).toBe(`${base}/prod/approvals/${ID}?sig=${SIG}`);
    }
  });
});

function getEvent(path: string, query: Record<string, string>): APIGatewayProxyEvent {
  const id = path.split('/').filter(Boolean).at(-1)!;
  return {
    httpMethod: 'GET',
    resource: '/approvals/{id}',
    path,
    headers: {},
    pathParameters: { id },
    queryStringParameters: query,
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '203.0.113.50' } },
  } as unknown as APIGatewayProxyEvent;
}

describe('approvals API with a mangled link', () => {
  let db: LocalDynamo;
  let world: ApprovalWorld;
  let api: ReturnType<typeof makeHandler>;
  let id: string;
  let sig: string;

  beforeAll(async () => {
    db = await startLocalDynamo();
    world = approvalWorld(db);
    api = makeHandler({ ...world });
    const payload = await purchaseAwaitingApproval(world, 'mangled-1');
    await makeRequestApproval({ ...world })(payload);
    ({ id, sig } = linkIn(world.mailer.outbox[0]!));
  });
  afterAll(async () => db.close());

  it.each([
    ['a trailing slash', () => getEvent(`/approvals/${id}/`, { sig }), '../'],
    ['a trailing ")" on the signature', () => getEvent(`/approvals/${id}`, { sig: `${sig})` }), ''],
    ['a trailing "." on the signature', () => getEvent(`/approvals/${id}`, { sig: `${sig}.` }), ''],
    ['a trailing "&gt;" on the signature', () => getEvent(`/approvals/${id}`, { sig: `${sig}&gt;` }), ''],
    ['a trailing ")" on the path', () => getEvent(`/approvals/${id})`, { sig }), ''],
    ['an HTML-escaped "&amp;" before sig', () => getEvent(`/approvals/${id}`, { 'amp;sig': sig }), ''],
  ])('redirects a verified link with %s to its canonical form', async (_what, event, up) => {
    const res = await api(event());
    expect(res.statusCode).toBe(303);
    expect(res.headers?.Location).toBe(`${up}${id}?sig=${sig}`);
    expect(res.headers?.['Referrer-Policy']).toBe('no-referrer');
    expect(res.body).toBe('');
  });

  it('renders the page for the canonical link, whose form posts to the canonical path', async () => {
    const res = await api(getEvent(`/approvals/${id}`, { sig }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<form method="post" action="${id}">`);
  });

  it('redirects nothing that does not verify: a forged signature with a trailing slash is refused', async () => {
    const forged = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect((await api(getEvent(`/approvals/${id}/`, { sig: forged }))).statusCode).toBe(403);
    expect((await api(getEvent(`/approvals/${id}/`, { sig: `${sig}x` }))).statusCode).toBe(403);
  });
});
