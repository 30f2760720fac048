/**
 * The picture's stylesheet, inside the SVG so the file looks the same wherever it is opened (a
 * browser, GitHub's README view, the HTML page). Visited states are blue, the current one amber;
 * catch edges are dashed red, transitions the execution took thick blue.
 */
export const GRAPH_STYLE = [
  '.workflow-graph { background: #ffffff; }',
  '.caption { font-size: 14px; font-weight: bold; fill: #1f2937; }',
  '.subcaption { font-size: 11px; fill: #4b5563; }',
  '.state rect { fill: #f8fafc; stroke: #64748b; stroke-width: 1.5; }',
  '.state.choice rect { fill: #fefce8; }',
  '.state.pass rect, .state.wait rect { fill: #f5f3ff; }',
  '.state.succeed rect { fill: #ecfdf5; stroke: #059669; }',
  '.state.fail rect { fill: #fef2f2; stroke: #dc2626; }',
  '.state.visited rect { fill: #dbeafe; stroke: #1d4ed8; stroke-width: 2.5; }',
  '.state.current rect { fill: #fde68a; stroke: #b45309; stroke-width: 3.5; }',
  '.state text { text-anchor: middle; fill: #111827; }',
  '.state text.name { font-weight: bold; }',
  '.state text.detail { fill: #4b5563; }',
  '.start-dot { fill: #334155; }',
  '.start-line { stroke: #334155; stroke-width: 1.5; }',
  '.edge path { fill: none; stroke: #94a3b8; stroke-width: 1.4; }',
  '.edge.catch path { stroke: #dc2626; stroke-dasharray: 5 3; stroke-opacity: 0.75; }',
  '.edge.taken path { stroke: #1d4ed8; stroke-width: 3; stroke-dasharray: none; stroke-opacity: 1; }',
  '#arrow path { fill: #94a3b8; }',
  '#arrow-catch path { fill: #dc2626; }',
  '#arrow-taken path { fill: #1d4ed8; }',
  '.edge-label { text-anchor: middle; fill: #374151; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }',
  '.edge-label.catch { fill: #b91c1c; }',
  '.legend.visited { fill: #dbeafe; stroke: #1d4ed8; stroke-width: 2; }',
  '.legend.current { fill: #fde68a; stroke: #b45309; stroke-width: 2.5; }',
  '.legend-text { font-size: 11px; fill: #374151; }',
].join(' ');
