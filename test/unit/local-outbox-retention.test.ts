import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEPT_IN_MEMORY } from '../../lib/local/keep-latest';
import { Outbox, type OutboxMail } from '../../lib/local/ses-outbox';

/** The outbox keeps the latest mails in memory, bounded as the event bus's emitted events are; every mail stays on disk. */
describe('the outbox in memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procure-outbox-retention-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const send = (outbox: Outbox, n: number) => {
    for (let i = 0; i < n; i += 1) {
      outbox.sendEmail({
        FromEmailAddress: 'procure@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: `mail ${i}` }, Body: { Text: { Data: `body ${i}` } } } },
      });
    }
  };

  it('keeps only the latest `retention` mails, oldest first, and hands every one to the listener and the disk', () => {
    const heard: OutboxMail[] = [];
    const outbox = new Outbox(join(dir, 'small'), (m) => heard.push(m), 3);
    send(outbox, 5);
    expect(outbox.mails.map((m) => m.subject)).toEqual(['mail 2', 'mail 3', 'mail 4']);
    expect(heard).toHaveLength(5);
    expect(readdirSync(join(dir, 'small')).filter((f) => f.endsWith('.eml'))).toHaveLength(5);
  });

  it('keeps the latest 100 by default (KEPT_IN_MEMORY)', () => {
    expect(KEPT_IN_MEMORY).toBe(100);
    const outbox = new Outbox(join(dir, 'default'));
    send(outbox, 102);
    expect(outbox.mails).toHaveLength(100);
    expect(outbox.mails[0]!.subject).toBe('mail 2');
  });
});
