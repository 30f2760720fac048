import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowGraph } from '../../lib/graph/workflow-graph';
import { synthesizedWorkflow } from '../../lib/cli/graph-source';
import { runCli } from '../support/cli';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * The README's picture of the workflow (docs/workflow.svg) is what `procure graph` draws from the
 * template the CDK app synthesizes now: a changed workflow fails here until the picture is
 * regenerated with `npx procure graph --out docs/workflow.svg`. The picture of one real purchase's
 * path (docs/workflow-purchase.svg, from a run) must at least have every state the template has.
 */
describe('docs/workflow.svg', () => {
  const committed = readFileSync(join(PROJECT_DIR, 'docs', 'workflow.svg'), 'utf8');

  it('is exactly what procure graph draws from the current template', async () => {
    const cli = await runCli(['graph'], { timeoutMs: 120_000 });
    expect(cli.code).toBe(0);
    expect(cli.stdout === committed, 'docs/workflow.svg is stale: run npx procure graph --out docs/workflow.svg').toBe(true);
  });

  it.each(['workflow.svg', 'workflow-purchase.svg'])('docs/%s has every state of the synthesized state machine, and the README shows it', async (file) => {
    const { definition } = await synthesizedWorkflow({ projectDir: PROJECT_DIR });
    const states = workflowGraph(definition).nodes.map((n) => n.id);
    expect(states.length).toBeGreaterThan(10);
    const picture = readFileSync(join(PROJECT_DIR, 'docs', file), 'utf8');
    expect([...picture.matchAll(/ data-state="([^"]*)"/g)].map((m) => m[1]).sort()).toEqual([...states].sort());
    expect(readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8')).toContain(`](docs/${file})`);
  });
});
