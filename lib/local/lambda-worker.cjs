'use strict';
/**
 * One Lambda "execution environment" on a worker thread (started by lambda-host.ts). Plain CommonJS
 * so it runs the same under node, tsx and vitest without a TypeScript loader. Like Lambda, it runs
 * one invocation at a time: the host sends the next only after this one's result (an overlapping
 * message is answered with an error, never run alongside). Each invocation gets its own context;
 * `getRemainingTimeInMillis()` counts down from the function timeout, starting when the handler is
 * called: as on Lambda, loading the code (the init phase of a cold start) is not part of it.
 *
 * workerData: { assetDir, assetHash, constructId, handler ('index.handler'), functionName, functionArn, memoryMb, logGroupName, instanceId }
 * process.env is this function's own environment (Worker `env` option), like a real sandbox.
 * Messages in:  { type: 'invoke', id, requestId, timeoutMs, event (JSON text) }
 * Messages out: { type: 'started', id } once the code is loaded, just before the handler runs
 *             | { type: 'result', id, ok: true, payload (JSON text) }
 *             | { type: 'result', id, ok: false, init?, error: { errorType, errorMessage, trace } }
 * The code is loaded on the first invocation (the "cold start"); an init error is reported on that
 * invocation and the host replaces the worker, as Lambda retries init on the next invoke. Before
 * loading, the cold start checks the bundle (bundle-integrity.cjs: owner, modes, content against the
 * CDK asset hash), so a bundle swapped after the runtime started never runs: the init error is
 * `Local.BundleRejected`, naming the function and the path. About 3 ms for a 3.8 MB bundle.
 */
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const { BUNDLE_REJECTED, checkBundle } = require('./bundle-integrity.cjs');

let handlerFn;

// NODE_OPTIONS does not reach worker threads; honour the one flag CDK functions commonly set.
if (/--enable-source-maps/.test(process.env.NODE_OPTIONS || '') && typeof process.setSourceMapsEnabled === 'function') {
  process.setSourceMapsEnabled(true);
}

function loadHandler() {
  if (handlerFn) return handlerFn;
  const spec = workerData.handler;
  const dot = spec.lastIndexOf('.');
  const modulePath = path.join(workerData.assetDir, dot > 0 ? spec.slice(0, dot) : 'index');
  const exportName = dot > 0 ? spec.slice(dot + 1) : 'handler';
  const problem = checkBundle(workerData.assetDir, workerData.assetHash);
  if (problem) {
    const message = `${workerData.constructId} (${workerData.functionName}): bundle refused, not loaded: ${problem}`;
    throw Object.assign(new Error(message), { name: BUNDLE_REJECTED, init: true });
  }
  let mod;
  try {
    mod = require(modulePath);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(modulePath)) {
      throw Object.assign(new Error(`Error: Cannot find module '${path.basename(modulePath)}'`), { name: 'Runtime.ImportModuleError', init: true });
    }
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { init: true });
  }
  const fn = mod?.[exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound', init: true });
  }
  handlerFn = fn;
  return fn;
}

function toLambdaError(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  // Lambda reports non-Error throws with the value's type.
  return { errorType: typeof err === 'string' ? 'string' : typeof err, errorMessage: String(err), trace: [] };
}

function makeContext(msg, deadline) {
  const { functionName, functionArn, memoryMb, logGroupName } = workerData;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: msg.requestId,
    logGroupName,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${workerData.instanceId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

async function invoke(msg) {
  const fn = loadHandler();
  // The host starts the invocation's timeout when this arrives; the deadline here is a little
  // earlier than the host's, so the handler's view of its remaining time errs on the safe side.
  parentPort.postMessage({ type: 'started', id: msg.id });
  const deadline = Date.now() + msg.timeoutMs;
  const event = JSON.parse(msg.event);
  const context = makeContext(msg, deadline);
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${msg.requestId.replace(/-/g, '').slice(0, 24)}`;
  if (fn.length >= 3) {
    // Callback-style handler.
    return new Promise((resolve, reject) => {
      const maybe = fn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
    });
  }
  return fn(event, context);
}

let busy = false;

parentPort.on('message', (msg) => {
  if (msg?.type !== 'invoke') return;
  if (busy) {
    const error = { errorType: 'Runtime.Busy', errorMessage: 'this execution environment is already running an invocation', trace: [] };
    parentPort.postMessage({ type: 'result', id: msg.id, ok: false, error });
    return;
  }
  busy = true;
  Promise.resolve()
    .then(() => invoke(msg))
    .finally(() => {
      busy = false;
    })
    .then(
      (value) => {
        let payload;
        try {
          payload = value === undefined ? 'null' : JSON.stringify(value);
        } catch (err) {
          const error = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to marshal response: ${err.message}`, trace: [] };
          parentPort.postMessage({ type: 'result', id: msg.id, ok: false, error });
          return;
        }
        parentPort.postMessage({ type: 'result', id: msg.id, ok: true, payload: payload === undefined ? 'null' : payload });
      },
      (err) => {
        parentPort.postMessage({ type: 'result', id: msg.id, ok: false, init: Boolean(err?.init), error: toLambdaError(err) });
      },
    );
});
