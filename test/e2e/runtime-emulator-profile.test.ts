import { OTHER_APP_DIR, OTHER_APP_WATCH } from '../support/other-app';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type RuntimeProfile } from '../../lib/local';
import { secretValue } from '../support/e2e-runtime';
import { waitFor } from '../support/wait';

/**
 * The generic emulator with another CDK app (issue #10): test/fixtures/other-app, a notes service
 * that shares no code or names with procure (its own project folder, cdk.json, tables, secret, API,
 * rule and workflow; only the installed packages are this repository's), run by startEmulator (its
 * one stack found by itself; the default watch list and the lock file) with profiles of its own:
 * what the emulator does alone, and what the secretRoles, startSandboxes and functionWiring hooks add.
 */
const OTHER_APP = { projectDir: OTHER_APP_DIR, watch: [...OTHER_APP_WATCH], synth: 'auto' as const, inMemory: true };

type Notes = Emulator<object>;

async function call(rt: Notes, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${rt.apiUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Puts a "Note Shared" event and waits for the execution its rule started for that note to end. */
async function share(rt: Notes, noteId: string) {
  await rt.putEvents([{ Source: 'notes.app', DetailType: 'Note Shared', Detail: { noteId } }]);
  const started = await waitFor('the rule to start the workflow', () => rt.executions.list().find((e) => JSON.parse(e.input).noteId === noteId));
  return rt.executions.wait(started.executionArn, { timeoutMs: 30_000 });
}

describe('the generic emulator on another CDK app', () => {
  let rt: Notes | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  it('runs its template with a bare profile: API to function to table, event to rule to workflow, secrets as the template made them', async () => {
    rt = await startEmulator(OTHER_APP, { name: 'notes' });

    expect(basename(rt.dataDir)).toMatch(/^notes-local-/);
    expect(rt.stackName).toBe('Notes');
    expect(rt.region).toBe('eu-west-1');
    expect(rt.sandboxes).toEqual({});
    expect(rt.envOf('Translate').TRANSLATOR_URL).toBe('');
    expect(JSON.parse(await secretValue(rt, 'Translate', 'TRANSLATOR_SECRET'))).toEqual({ token: 'placeholder', salt: expect.stringMatching(/^.{32}$/) });
    const created = await call(rt, 'POST', '/notes', { text: 'hello' });
    expect(created.status).toBe(201);
    const noteId = String(created.body.noteId);
    expect(await call(rt, 'GET', `/notes/${noteId}`)).toEqual({ status: 200, body: { noteId, text: 'hello', translation: null } });
    expect((await call(rt, 'POST', '/notes', { text: 7 })).status).toBe(400);

    const shared = await share(rt, noteId);
    expect(shared.status).toBe('SUCCEEDED');
    expect(JSON.parse(shared.output!)).toEqual({ noteId, translation: { ok: true, text: 'HELLO' } });
    expect((await call(rt, 'GET', `/notes/${noteId}`)).body.translation).toBe('HELLO');
    const missing = await share(rt, 'no-such-note');
    expect(missing).toMatchObject({ status: 'FAILED', error: 'Untranslatable' });
  });

  it("applies each hook: a secret role, a stand-in reached with the secret's token (closed with the runtime), its wiring", async () => {
    const seen: string[] = [];
    const closed: string[] = [];
    const profile: RuntimeProfile<{ translator: string }> = {
      name: 'notes',
      secretRoles: () => ({ TRANSLATOR_SECRET: () => JSON.stringify({ token: 'local-token' }) }),
      startSandboxes: async ({ secretJson }) => {
        const server = await reversingTranslator(secretJson('TRANSLATOR_SECRET').token!, seen);
        return {
          view: { translator: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
          close: async () => {
            await new Promise((r) => server.close(r));
            closed.push('translator');
          },
        };
      },
      functionWiring: ({ sandboxes }) => ({
        wiring: { TRANSLATOR_URL: sandboxes.translator, GLOSSARY_URL: `${sandboxes.translator}/glossary` },
        alongside: { GLOSSARY_URL: 'TRANSLATOR_URL' },
        config: { NOTES_FLAVOUR: 'profile', NOTES_BANNER: 'from the profile' },
      }),
    };

    const started = await startEmulator({ ...OTHER_APP, configOverrides: { NOTES_FLAVOUR: 'caller' } }, profile);
    rt = started;

    expect(started.envOf('Translate').TRANSLATOR_URL).toBe(started.sandboxes.translator);
    expect(started.envOf('Translate').GLOSSARY_URL).toBe(`${started.sandboxes.translator}/glossary`);
    expect(started.envOf('NotesApi').GLOSSARY_URL).toBeUndefined();
    expect(started.envOf('NotesApi').NOTES_FLAVOUR).toBe('caller');
    expect(started.envOf('Translate').NOTES_BANNER).toBe('from the profile');
    const noteId = String((await call(started, 'POST', '/notes', { text: 'stressed' })).body.noteId);
    const shared = await share(started, noteId);
    expect(shared.status).toBe('SUCCEEDED');
    expect((await call(started, 'GET', `/notes/${noteId}`)).body.translation).toBe('desserts');
    expect(seen).toEqual(['Bearer local-token']);
    await started.close();
    rt = undefined;
    expect(closed).toEqual(['translator']);
  });
});

/** A translator stand-in: answers the body reversed to a request with the token, 401 otherwise. */
async function reversingTranslator(token: string, seen: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push(String(req.headers.authorization));
      res.statusCode = req.headers.authorization === `Bearer ${token}` ? 200 : 401;
      res.end(res.statusCode === 200 ? [...body].reverse().join('') : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}
