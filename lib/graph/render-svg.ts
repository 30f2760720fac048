import type { ExecutionPath } from './execution-path';
import { layoutGraph, type EdgeRoute, type NodeBox } from './layout';
import { detailLine, DETAIL_FONT_PX, FONT_FAMILY, LABEL_FONT_PX, MARGIN, NAME_FONT_PX, shortLabel, textWidth } from './metrics';
import { GRAPH_STYLE } from './svg-style';
import type { WorkflowGraph } from './workflow-graph';
import { xml } from './xml-text';

/**
 * The workflow graph as a standalone SVG document. Each state is a `<g class="state ...">` with
 * `data-state` (its name), a rounded box, its name and what it does; each transition a
 * `<g class="edge <kind>">` with `data-from` / `data-to`. With an execution's path, visited states
 * get the class `visited`, the state it is in (or ended in) `current`, and the transitions it took
 * `taken`. Every text and attribute value is XML-escaped (xml-text.ts).
 */
export interface RenderOptions {
  /** First line of the caption (the state machine's name). */
  title: string;
  /** Second line (the purchase, its status). */
  subtitle?: string;
  path?: ExecutionPath;
}

const CAPTION_HEIGHT = 44;
/** The legend (with an execution's path) gets a line of its own under the caption. */
const LEGEND_HEIGHT = 22;
const LEGEND_WIDTH = 160;

const num = (n: number): string => String(Math.round(n * 10) / 10);

function stateClass(node: NodeBox, path: ExecutionPath | undefined): string {
  const kind = /^[A-Za-z]{1,20}$/.test(node.type) ? node.type.toLowerCase() : 'other';
  const marks = [node.start ? 'start' : '', node.end ? 'end' : ''];
  if (path?.visited.includes(node.id)) marks.push('visited');
  if (path?.current === node.id) marks.push('current');
  return ['state', kind, ...marks].filter(Boolean).join(' ');
}

function renderState(node: NodeBox, path: ExecutionPath | undefined): string {
  const cx = node.x + node.width / 2;
  const detail = detailLine(node.detail, node.retries);
  const tip = [
    `${node.id}: ${node.detail}`,
    node.retries.length ? `retries ${node.retries.join(', ')}` : '',
    path?.entries[node.id] ? `entered ${path.entries[node.id]}×` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return [
    `<g class="${stateClass(node, path)}" data-state="${xml(node.id)}" data-type="${xml(node.type)}">`,
    `<title>${xml(tip)}</title>`,
    `<rect x="${num(node.x)}" y="${num(node.y)}" width="${num(node.width)}" height="${num(node.height)}" rx="9"/>`,
    `<text class="name" x="${num(cx)}" y="${num(node.y + 20)}" font-size="${NAME_FONT_PX}">${xml(node.id)}</text>`,
    `<text class="detail" x="${num(cx)}" y="${num(node.y + 37)}" font-size="${DETAIL_FONT_PX}">${xml(detail)}</text>`,
    node.start
      ? `<circle class="start-dot" cx="${num(cx)}" cy="${num(node.y - 14)}" r="5"/><path class="start-line" d="M${num(cx)},${num(node.y - 9)} L${num(cx)},${num(node.y)}"/>`
      : '',
    '</g>',
  ].join('');
}

function edgeTaken(edge: EdgeRoute, path: ExecutionPath | undefined): boolean {
  return path?.taken.some((t) => t.from === edge.from && t.to === edge.to) ?? false;
}

function renderEdge(edge: EdgeRoute, path: ExecutionPath | undefined): string {
  const taken = edgeTaken(edge, path);
  const cls = ['edge', edge.kind, edge.back ? 'back' : '', taken ? 'taken' : ''].filter(Boolean).join(' ');
  const marker = taken ? 'arrow-taken' : edge.kind === 'catch' ? 'arrow-catch' : 'arrow';
  const tip = `${edge.from} → ${edge.to}${edge.label ? ` (${edge.kind === 'catch' ? 'catch ' : ''}${edge.label})` : ''}`;
  return `<g class="${cls}" data-from="${xml(edge.from)}" data-to="${xml(edge.to)}"><title>${xml(tip)}</title><path d="${edge.path}" marker-end="url(#${marker})"/></g>`;
}

function renderLabel(edge: EdgeRoute): string {
  if (!edge.label || !edge.labelAt) return '';
  return `<text class="edge-label ${edge.kind}" x="${num(edge.labelAt.x)}" y="${num(edge.labelAt.y + 3)}" font-size="${LABEL_FONT_PX}">${xml(shortLabel(edge.label))}</text>`;
}

function renderLegend(path: ExecutionPath | undefined): string {
  if (!path) return '';
  const item = (dx: number, cls: string, text: string) =>
    `<g class="legend-item"><rect class="legend ${cls}" x="${num(MARGIN + dx)}" y="48" width="14" height="14" rx="3"/><text class="legend-text" x="${num(MARGIN + dx + 20)}" y="59">${xml(text)}</text></g>`;
  return item(0, 'visited', 'visited') + item(90, 'current', 'now');
}

/** The whole SVG document for the graph, with the caption and, given a path, the legend. */
export function renderSvg(graph: WorkflowGraph, options: RenderOptions): string {
  const { path } = options;
  const layout = layoutGraph(graph, { top: CAPTION_HEIGHT + (path ? LEGEND_HEIGHT : 0) });
  const captionWidth = Math.max(textWidth(options.title, 14), textWidth(options.subtitle ?? '', 11), LEGEND_WIDTH);
  const width = Math.max(layout.width, captionWidth + 2 * MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="workflow-graph" width="${width}" height="${layout.height}" viewBox="0 0 ${width} ${layout.height}" font-family="${xml(FONT_FAMILY)}" role="img" aria-labelledby="graph-title">`,
    `<title id="graph-title">${xml([options.title, options.subtitle].filter(Boolean).join(': '))}</title>`,
    `<style>${GRAPH_STYLE}</style>`,
    '<defs>',
    ...['arrow', 'arrow-catch', 'arrow-taken'].map(
      (id) =>
        `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    ),
    '</defs>',
    `<text class="caption" x="${MARGIN}" y="22">${xml(options.title)}</text>`,
    options.subtitle ? `<text class="subcaption" x="${MARGIN}" y="38">${xml(options.subtitle)}</text>` : '',
    renderLegend(path),
    `<g class="edges">${layout.edges.map((e) => renderEdge(e, path)).join('')}</g>`,
    `<g class="states">${layout.nodes.map((n) => renderState(n, path)).join('')}</g>`,
    `<g class="labels">${layout.edges.map(renderLabel).join('')}</g>`,
    '</svg>',
    '',
  ].join('\n');
}
