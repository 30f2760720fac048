import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REGISTRIES } from './registry/registries';
import { renderRegistry } from './registry/render';

/**
 * `npm run registry`: writes every facet list of the registry (`#vendors/*`, scripts/registry/facets.ts)
 * from the lists of vendors (lambdas/core/registered-vendors.ts, and the fixture vendor's). Run it
 * after adding a vendor's line; test/unit/vendor-registry-files.test.ts fails until it has run.
 */
const root = resolve(__dirname, '..');
for (const registry of REGISTRIES) {
  for (const [file, text] of renderRegistry(registry, root)) {
    writeFileSync(join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
