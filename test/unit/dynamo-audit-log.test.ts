import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

/** The table stores a kind as any string; these tests use labels that only tell entries apart. */
const label = (text: string): AuditKind => text as AuditKind;

describe('DynamoAuditLog', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = db.doc;
  });
  afterAll(async () => db.close());

  it('returns a purchase’s entries in time order, even when written in the same millisecond', async () => {
    const fixed = new Date('2030-01-02T03:04:05.678Z');
    const log = new DynamoAuditLog(doc, db.auditTable, () => fixed);
    const types = Array.from({ length: 25 }, (_, i) => `STEP_${i}`);
    for (const type of types) await log.append('pur-order', { type: label(type), status: 'RECEIVED' });

    const entries = await log.list('pur-order');

    expect(entries.map((e) => e.type)).toEqual(types);
    expect(new Set(entries.map((e) => e.seq)).size).toBe(25);
    expect(entries[0]?.seq.startsWith('2030-01-02T03:04:05.678Z#')).toBe(true);
  });

  it('writes a `once` entry exactly once for any number of callers with the same key and time, at that time', async () => {
    const log = new DynamoAuditLog(doc, db.auditTable);
    const once = { key: 'request-received', at: '2030-02-03T04:05:06.789Z' };
    const written = await Promise.all(
      Array.from({ length: 10 }, (_, i) => log.append('pur-once', { type: 'REQUEST_RECEIVED', status: 'RECEIVED', detail: { caller: i } }, once)),
    );

    const entries = await log.list('pur-once');

    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: 'REQUEST_RECEIVED', at: once.at, seq: '2030-02-03T04:05:06.789Z#once-request-received' });
    expect(new Set(written.map((e) => e.seq))).toEqual(new Set([entries[0]!.seq]));
  });

  it('keeps every concurrently appended entry (no entry overwrites another)', async () => {
    const log = new DynamoAuditLog(doc, db.auditTable);
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append('pur-concurrent', { type: label(`T${i}`), status: 'RECEIVED' })));

    const entries = await log.list('pur-concurrent');

    expect(entries).toHaveLength(30);
    const sorted = [...entries].sort((a, b) => (a.seq < b.seq ? -1 : 1));
    expect(entries).toEqual(sorted);
  });

  it('orders entries written later after earlier ones across clock times', async () => {
    let t = Date.parse('2030-05-01T00:00:00.000Z');
    const log = new DynamoAuditLog(doc, db.auditTable, () => new Date((t += 1000)));
    await log.append('pur-times', { type: label('A'), status: 'RECEIVED' });
    await log.append('pur-times', { type: label('B'), status: 'QUOTED' });

    const entries = await log.list('pur-times');

    expect(entries.map((e) => [e.type, e.at])).toEqual([
      ['A', '2030-05-01T00:00:01.000Z'],
      ['B', '2030-05-01T00:00:02.000Z'],
    ]);
  });

  it('lists entries by status through the byStatus index, filtered by time', async () => {
    let t = Date.parse('2031-01-01T00:00:00.000Z');
    const log = new DynamoAuditLog(doc, db.auditTable, () => new Date((t += 60_000)));
    await log.append('pur-s1', { type: label('FAILED'), status: 'NEEDS_ATTENTION' });
    await log.append('pur-s2', { type: label('FAILED'), status: 'NEEDS_ATTENTION' });
    await log.append('pur-s3', { type: label('FAILED'), status: 'NEEDS_ATTENTION' });

    const all = await log.listByStatus('NEEDS_ATTENTION');
    const since = await log.listByStatus('NEEDS_ATTENTION', { since: '2031-01-01T00:02:00.000Z' });
    const limited = await log.listByStatus('NEEDS_ATTENTION', { limit: 1 });

    expect(all.map((e) => e.purchaseId)).toEqual(['pur-s1', 'pur-s2', 'pur-s3']);
    expect(since.map((e) => e.purchaseId)).toEqual(['pur-s2', 'pur-s3']);
    expect(limited.map((e) => e.purchaseId)).toEqual(['pur-s1']);
  });

  it('scrubs secret-looking keys, link signatures and token-like text from what it writes', async () => {
    const log = new DynamoAuditLog(doc, db.auditTable);
    const token = 'AAAA' + 'x'.repeat(600);
    await log.append('pur-scrub', {
      type: 'APPROVAL_SENT',
      status: 'AWAITING_APPROVAL',
      message: `link https://x/approvals/abc?sig=SIGVALUE123 token ${token}`,
      detail: { approvers: ['a@example.com'], taskToken: 'tok-1', nested: { apiKey: 'k-1', password: 'p', sig: 'S' }, list: [{ secret: 's' }] },
    });

    const scan = await doc.send(new ScanCommand({ TableName: db.auditTable }));
    const written = JSON.stringify(scan.Items);

    for (const leaked of ['SIGVALUE123', token, 'tok-1', 'k-1', '"p"', '"S"', '"s"']) expect(written).not.toContain(leaked);
    expect(written).toContain('a@example.com');
  });
});
