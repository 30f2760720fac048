// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks (shared/notes/toolchain.md §4).
import '../lib/local/node20-polyfill';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
