#!/usr/bin/env node
// `npx procure ...`: runs the TypeScript CLI through tsx (no build step), with both of its hooks:
// require() for the CLI's modules and import() for what lib/local loads lazily (the vendor
// sandboxes). The ESM API is imported, not required: its CJS build resolves its loader wrongly.
import('tsx/esm/api').then(({ register }) => {
  register();
  require('tsx/cjs');
  require('./procure.ts');
});
