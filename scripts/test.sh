#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, then runs the whole suite.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1 CDK_DISABLE_VERSION_CHECK=true
bash scripts/ensure-chromium.sh || { echo "could not install chromium for the browser tests"; echo "0 passed, 1 failed"; exit 1; }
npx tsc --noEmit -p . || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }
# The whole program again with the fixture vendor registered (issue #10): the registry's types must take a new vendor.
npx tsc --noEmit -p test/fixtures/vendors/fixturevendor/tsconfig.json || { echo "typecheck with the fixture vendor failed"; echo "0 passed, 1 failed"; exit 1; }
npx biome check --diagnostic-level=error || { echo "lint or format check failed (biome.jsonc; npx biome check --write formats)"; echo "0 passed, 1 failed"; exit 1; }
# Production code (not tests or benches) is held to biome's warnings too.
npx biome check --error-on-warnings --diagnostic-level=warn bin lib lambdas scripts || { echo "a lint warning in production code (biome.jsonc)"; echo "0 passed, 1 failed"; exit 1; }
rm -f .vitest-results.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@"
node scripts/test-summary.cjs .vitest-results.json
