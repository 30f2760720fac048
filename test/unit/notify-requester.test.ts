import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoNoticeLedger } from '../../lambdas/adapters/aws/dynamo-notice-ledger';
import { NOTICE_AUDIT, notifyRequester, type RequesterNoticeDeps } from '../../lambdas/core/notify-requester';
import type { AuditLog, NoticeLedger } from '../../lambdas/core/ports';
import type { RequesterNoticeView } from '../../lambdas/core/requester-notice';
import { FakeMailer } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

const view = (purchaseId: string): RequesterNoticeView => ({
  purchaseId,
  requestId: 'req-n',
  vendor: 'interserver',
  requester: { name: 'Grace Hopper', email: 'grace@example.com' },
  reason: 'cPanel for the new web server',
  amountUsd: 3,
  outcome: { status: 'COMPLETED', licenseId: '386523' },
});

// The notice around its ports: the ledger and audit log are real (dynalite), SES a fake outbox.
describe('notifyRequester', () => {
  let db: LocalDynamo;
  let audit: DynamoAuditLog;
  let ledger: DynamoNoticeLedger;
  let mailer: FakeMailer;
  let logged: Array<{ message: string; extra: Record<string, unknown>[] }>;
  let deps: RequesterNoticeDeps;

  beforeAll(async () => {
    db = await startLocalDynamo();
    audit = new DynamoAuditLog(db.doc, db.auditTable);
    ledger = new DynamoNoticeLedger(db.doc, db.stateTable);
  });
  afterAll(async () => db.close());
  beforeEach(() => {
    mailer = new FakeMailer();
    logged = [];
    deps = { mailer, notices: ledger, audit, sender: 'procure@example.com', log: { error: (message, ...extra) => void logged.push({ message, extra }) } };
  });

  it('sends once and audits it; a repeat of the same end sends nothing', async () => {
    expect(await notifyRequester(deps, view('pur-n1'), 'COMPLETED', true)).toBe('sent');
    expect(await notifyRequester(deps, view('pur-n1'), 'COMPLETED', true)).toBe('already-sent');

    expect(mailer.outbox.map((m) => m.to)).toEqual([['grace@example.com']]);
    expect((await audit.list('pur-n1')).map((e) => [e.type, e.status])).toEqual([[NOTICE_AUDIT.sent, 'COMPLETED']]);
  });

  it('sends nothing and writes nothing for a requester who opted out', async () => {
    expect(await notifyRequester(deps, view('pur-n2'), 'COMPLETED', false)).toBe('opted-out');
    expect(mailer.outbox).toEqual([]);
    expect(await audit.list('pur-n2')).toEqual([]);
    expect(await ledger.claim('pur-n2', 'outcome#COMPLETED', '2030-01-01T00:00:00.000Z')).toBe(true);
  });

  it('gives the claim back after a failed send, so the next try sends', async () => {
    mailer.failNext = Object.assign(new Error('Throttling: Maximum sending rate exceeded'), { name: 'TooManyRequestsException' });

    expect(await notifyRequester(deps, view('pur-n3'), 'COMPLETED', true)).toBe('failed');
    expect(await notifyRequester(deps, view('pur-n3'), 'COMPLETED', true)).toBe('sent');

    expect(mailer.outbox).toHaveLength(1);
    expect((await audit.list('pur-n3')).map((e) => e.type)).toEqual([NOTICE_AUDIT.failed, NOTICE_AUDIT.sent]);
    expect(logged).toEqual([
      { message: 'the requester notice could not be sent', extra: [{ purchaseId: 'pur-n3', kind: 'outcome', error: 'TooManyRequestsException' }] },
    ]);
  });

  it('never throws: a ledger that is down is audited as a failed notice, an audit log that is down only logged', async () => {
    const down: NoticeLedger = {
      claim: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
      },
      release: async () => undefined,
    };
    expect(await notifyRequester({ ...deps, notices: down }, view('pur-n4'), 'FAILED', true)).toBe('failed');
    expect(mailer.outbox).toEqual([]);
    expect(await audit.list('pur-n4')).toMatchObject([{ type: NOTICE_AUDIT.failed, status: 'FAILED', detail: { kind: 'outcome', error: 'TimeoutError' } }]);

    const noAudit: AuditLog = {
      ...audit,
      list: (id) => audit.list(id),
      listByStatus: (s, o) => audit.listByStatus(s, o),
      append: async () => Promise.reject(new Error('audit down')),
    };
    expect(await notifyRequester({ ...deps, audit: noAudit }, view('pur-n5'), 'COMPLETED', true)).toBe('sent');
    expect(mailer.outbox).toHaveLength(1);
    expect(logged.at(-1)?.message).toBe('the requester notice was sent but could not be audited');
  });
});
