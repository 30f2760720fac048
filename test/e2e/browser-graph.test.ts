import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage } from '../../lib/graph/html-page';
import { renderSvg } from '../../lib/graph/render-svg';
import { workflowGraph } from '../../lib/graph/workflow-graph';
import { displayText } from '../../lib/graph/xml-text';
import { synthesizedWorkflow } from '../../lib/cli/graph-source';
import { launchChromium } from '../support/browser';
import { runCli } from '../support/cli';
import { PROJECT_DIR } from '../support/project-dir';
import { HOSTILE, HOSTILE_NAME } from '../fixtures/graph-definitions';

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface StateReport {
  name: string;
  box: Box;
  texts: Box[];
  visible: boolean;
  /** The element at the box's centre belongs to this state (nothing covers it). */
  onTop: boolean;
}

/** Read in the page (a string: the tests' tsconfig has no DOM lib). */
const READ_PICTURE = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const states = [...document.querySelectorAll('g.state')].map((g) => {
    const rect = g.querySelector('rect');
    const b = box(rect);
    const style = getComputedStyle(rect);
    const hit = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
    return {
      name: g.getAttribute('data-state'),
      box: b,
      texts: [...g.querySelectorAll('text')].map(box),
      visible: b.right - b.left > 20 && b.bottom - b.top > 20 && style.visibility === 'visible' && style.display !== 'none' && Number(style.opacity) > 0,
      onTop: !!hit && g.contains(hit),
    };
  });
  return { states, labels: [...document.querySelectorAll('text.edge-label')].map(box), svg: box(document.querySelector('svg')),
    injected: document.querySelectorAll('script, image, foreignObject, iframe').length };
})()`;

const overlap = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const inside = (inner: Box, outer: Box): boolean =>
  inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;

/**
 * `procure graph --out file.html`, opened in the real Chromium the suite drives: every state of the
 * synthesized template is a visible box that nothing covers, no two boxes overlap, names fit their
 * boxes, edge labels sit beside the boxes; hostile names render as text, never as markup.
 */
describe('the workflow picture in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procure-graph-'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 2400 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function read(file: string): Promise<{ states: StateReport[]; labels: Box[]; svg: Box; injected: number }> {
    await page.goto(pathToFileURL(file).href);
    return page.evaluate(READ_PICTURE) as Promise<{ states: StateReport[]; labels: Box[]; svg: Box; injected: number }>;
  }

  it('shows every state of the synthesized workflow as a visible box, none overlapping, names inside', async () => {
    const file = join(dir, 'workflow.html');
    const cli = await runCli(['graph', '--out', file], { timeoutMs: 120_000 });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const { definition } = await synthesizedWorkflow({ projectDir: PROJECT_DIR });
    const expected = workflowGraph(definition).nodes.map((n) => n.id);

    const picture = await read(file);
    expect(picture.states.map((s) => s.name).sort()).toEqual([...expected].sort());
    for (const s of picture.states) {
      expect(s.visible, `${s.name} is visible`).toBe(true);
      expect(s.onTop, `nothing covers ${s.name}`).toBe(true);
      expect(inside(s.box, picture.svg), `${s.name} is inside the picture`).toBe(true);
      for (const t of s.texts) expect(inside(t, s.box), `${s.name}'s text fits its box`).toBe(true);
    }
    for (const [i, a] of picture.states.entries()) {
      for (const b of picture.states.slice(i + 1)) expect(overlap(a.box, b.box), `${a.name} and ${b.name} overlap`).toBe(false);
    }
    expect(picture.labels.length).toBeGreaterThan(5);
    for (const label of picture.labels) {
      for (const s of picture.states) expect(overlap(label, s.box), `a label overlaps ${s.name}`).toBe(false);
    }
    expect(errors).toEqual([]);
  });

  it('renders hostile state names as text: no element is injected, the name reads as its escapes', async () => {
    const file = join(dir, 'hostile.html');
    writeFileSync(file, htmlPage(renderSvg(workflowGraph(HOSTILE), { title: '<img src=x onerror=alert(1)>' }), HOSTILE_NAME));
    const picture = await read(file);
    expect(picture.injected).toBe(0);
    expect(picture.states.map((s) => s.name)).toEqual([displayText(HOSTILE_NAME), 'After', 'End']);
    expect(await page.locator('g.state text.name').first().textContent()).toBe(displayText(HOSTILE_NAME));
    expect(await page.title()).toBe(displayText(HOSTILE_NAME));
    expect(errors).toEqual([]);
  });
});
