#!/usr/bin/env node
// `npx procure ...`: runs the TypeScript CLI through tsx (no build step).
require('tsx/cjs');
require('./procure.ts');
