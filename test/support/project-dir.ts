import { resolve } from 'node:path';

/** The repository root (where package.json, cdk.json and bin/ are), for tests and the bench. */
export const PROJECT_DIR = resolve(__dirname, '..', '..');
