import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { escapeControls } from '../../lambdas/core/safe-text';
import { executionPath, type ExecutionPath } from '../graph/execution-path';
import { htmlPage } from '../graph/html-page';
import { renderSvg } from '../graph/render-svg';
import { workflowGraph, type WorkflowGraph } from '../graph/workflow-graph';
import { ApiError, ProcureApi, resolveApiTarget } from './api-client';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_USAGE, UsageError } from './args';
import { synthesizedWorkflow } from './graph-source';
import { executionHistory } from './history-client';

/**
 * `procure graph [--purchase ID] [--out FILE.svg|FILE.html]`: the purchase state machine as the CDK
 * app synthesizes it, drawn as a layered SVG (lib/graph/); with --purchase, the states that
 * purchase's execution entered, the transitions it took and where it is now, from its Step
 * Functions history.
 */
export const summary = "draw the synthesized state machine (SVG or HTML), with a purchase's path marked";

const USAGE = `usage: procure graph [--purchase ID] [--out FILE.svg|FILE.html] [--cdk-out DIR] [--api URL] [--data-dir DIR]

Draws the purchase state machine from the synthesized template (cdk.out, synthesized first when the
CDK app's sources are newer): every state with what it does, every transition (Next, each Choice
rule, Default, each Catch with its error names). Without --out the SVG goes to stdout.
  --purchase ID    mark that purchase's path from its execution's Step Functions history: the
                   states it entered (blue), the transitions it took, and the state it is in now or
                   ended in (amber). Reads GET /purchases/{id}, then GetExecutionHistory (from the
                   local runtime, or from AWS with --api: needs states:GetExecutionHistory)
  --out FILE       write FILE.svg (the picture) or FILE.html (a page showing it)
  --cdk-out DIR    the cloud assembly to read (default cdk.out)
${TARGET_USAGE.split('\n')
  .filter((l) => !l.includes('--json'))
  .join('\n')}`;

/** The same shape GET /purchases/{id} accepts. */
const PURCHASE_ID = /^[A-Za-z0-9-]{1,80}$/;

function outputKind(out: string | undefined): 'svg' | 'html' | undefined {
  if (out === undefined) return undefined;
  const ext = extname(out).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new UsageError(`--out must name a .svg or .html file, got "${escapeControls(out)}"`);
}

/** Runs `procure graph`; returns the exit code (2 for a usage error). */
export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      purchase: { type: 'string' },
      out: { type: 'string' },
      'cdk-out': { type: 'string' },
      api: { type: 'string' },
      'data-dir': { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    expectPositionals(positionals, []);
    const kind = outputKind(values.out);
    const purchaseId = values.purchase;
    if (purchaseId !== undefined && !PURCHASE_ID.test(purchaseId)) {
      throw new UsageError(`--purchase must be a purchase id like pur-<32 hex digits>, got "${escapeControls(purchaseId)}"`);
    }
    // The purchase first: an unknown id fails before any synth.
    const marked = purchaseId === undefined ? undefined : await purchasePath(purchaseId, { api: values.api, dataDir: values['data-dir'] });
    const workflow = await synthesizedWorkflow({
      projectDir: process.cwd(),
      ...(values['cdk-out'] ? { cdkOut: values['cdk-out'] } : {}),
      log: (l) => console.error(l),
    });
    const graph = workflowGraph(workflow.definition);
    if (marked) warnAboutPath(graph, marked.path);
    const svg = renderSvg(graph, { title: workflow.name, ...(marked ? { subtitle: marked.subtitle, path: marked.path } : {}) });
    if (!values.out || !kind) {
      process.stdout.write(svg);
      return 0;
    }
    writeFileSync(values.out, kind === 'html' ? htmlPage(svg, `${workflow.name}${marked ? `: ${marked.subtitle}` : ''}`) : svg);
    console.log(escapeControls(`wrote ${values.out}: ${graph.nodes.length} states, ${graph.edges.length} transitions${marked ? `; ${marked.summary}` : ''}`));
    return 0;
  });
}

interface MarkedPurchase {
  path: ExecutionPath;
  subtitle: string;
  summary: string;
}

async function purchasePath(purchaseId: string, target: { api: string | undefined; dataDir: string | undefined }): Promise<MarkedPurchase> {
  const api = new ProcureApi(resolveApiTarget(target));
  const purchase = await api.getPurchase(purchaseId).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) throw new Error(`no purchase ${purchaseId} (GET /purchases/${purchaseId} answered 404)`);
    throw err;
  });
  if (!purchase.executionArn) {
    throw new Error(
      `purchase ${purchaseId} (status ${purchase.status ?? 'unknown'}) has no workflow execution: it was refused or stopped before the workflow started`,
    );
  }
  const path = executionPath(await executionHistory(api.target, purchase.executionArn));
  const now = path.current ? `${path.status === 'RUNNING' ? 'now at' : 'ended at'} ${path.current}` : 'no state entered yet';
  return {
    path,
    subtitle: `purchase ${purchaseId} · ${purchase.status ?? 'unknown'} · execution ${path.status}, ${now}`,
    summary: `purchase ${purchaseId}: ${path.visited.length} states visited, ${now}`,
  };
}

/** Says so on stderr when the history cannot be drawn in full on this template. */
function warnAboutPath(graph: WorkflowGraph, path: ExecutionPath): void {
  if (path.visited.length === 0) {
    console.error(
      'note: the execution has no state history to mark (the local runtime keeps step history as long as executions.json keeps the execution, and the in-memory one for running executions and the last 100 to finish)',
    );
  }
  const unknown = path.visited.filter((s) => !graph.nodes.some((n) => n.id === s));
  if (unknown.length)
    console.error(
      escapeControls(`note: the execution entered states the current template does not have (an older version of the workflow): ${unknown.join(', ')}`),
    );
}
