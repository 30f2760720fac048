'use strict';
/**
 * Integrity of the bundled Lambda code the local runtime loads (issue 9): CDK's bundling step leaves
 * `cdk.out/asset.<hash>/` folders 0777, so any local user could swap an `index.js` the runtime then
 * runs as its own user. Before a bundle is loaded it must be
 * - owned by the runtime's user (or root) and not writable by group or others: the folder, every
 *   file and folder in it, and the folder holding it (cdk.out); no symbolic links;
 * - byte for byte what CDK hashed at synth: NodejsFunction stages its bundle under the hash of the
 *   bundling OUTPUT (`AssetHashType.OUTPUT`, `FileSystem.fingerprint` of the output folder), so the
 *   `<hash>` in the folder name, which the template names, is checkable against the content. This
 *   file computes that fingerprint the way aws-cdk-lib 2.276 does (core/lib/fs/fingerprint.js);
 *   an asset hashed another way (SOURCE, CUSTOM, extraHash) does not match and is refused.
 *
 * Plain CommonJS: the runtime (TypeScript) checks every hosted bundle at start, and each Lambda
 * worker (lambda-worker.cjs, no TypeScript loader) checks its bundle again on its cold start, just
 * before loading it, so a swap after the runtime started is caught too.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { isUtf8 } = require('node:buffer');

/** errorType of an invocation whose bundle was refused (the function never ran). */
const BUNDLE_REJECTED = 'Local.BundleRejected';

/** The bits that let someone other than the owner change a file or a folder's entries. */
const WRITABLE_BY_OTHERS = 0o022;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW || 0;

/** CDK reads files in 8 KiB chunks and normalizes CRLF per chunk: the digest depends on it. */
const CHUNK = 8 * 1024;
const CRLF = /\r\n/g;
const TRAILING_CR = /\r$/;
const CR = 13;

function hashField(hash, header, value) {
  hash.update('\x01').update(header).update('\x02').update(value).update('\x03');
}

/** Reused read buffer: a whole number of CDK's chunks, so chunk boundaries fall where CDK's do. */
const READ_BUFFER = Buffer.alloc(128 * CHUNK);

/** Fills READ_BUFFER from `fd` (short reads retried); returns the bytes read, 0 at the end. */
function fill(fd) {
  let n = 0;
  for (;;) {
    const read = fs.readSync(fd, READ_BUFFER, n, READ_BUFFER.length - n, null);
    if (read === 0 || (n += read) === READ_BUFFER.length) return n;
  }
}

/**
 * CDK's per-file fingerprint (`contentFingerprintMiss`): `<size>:<sha256>` of the file read in
 * 8 KiB chunks, each text chunk decoded as UTF-8 with CRLF turned into LF (a chunk ending in CR
 * waits for the next), binary files (a NUL in the first chunk) as they are. Followed step by step,
 * except that a chunk that decoding would not change (no CR, well-formed UTF-8) is hashed as is.
 */
function fileFingerprint(fd) {
  const hash = createHash('sha256');
  let size = 0;
  let isBinary = false;
  let lastStr = '';
  for (let n = fill(fd); n > 0; n = fill(fd)) {
    for (let at = 0; at < n; at += CHUNK) {
      const chunk = READ_BUFFER.subarray(at, Math.min(at + CHUNK, n));
      if (size === 0) isBinary = chunk.indexOf(0) !== -1;
      if (isBinary) {
        size += chunk.length;
        hash.update(chunk);
        continue;
      }
      if (lastStr === '' && chunk.indexOf(CR) === -1 && isUtf8(chunk)) {
        size += chunk.length;
        hash.update(chunk);
        continue;
      }
      const str = chunk.toString();
      if (TRAILING_CR.test(str)) {
        lastStr += str;
        continue;
      }
      const data = Buffer.from((lastStr + str).replace(CRLF, '\n'));
      lastStr = '';
      size += data.length;
      hash.update(data);
    }
  }
  if (lastStr) hash.update(Buffer.from(lastStr));
  return `${size}:${hash.digest('hex')}`;
}

/** Why `st` (of `p`) could have been changed by another user, or undefined. */
function ownershipProblem(p, st) {
  if (typeof process.getuid !== 'function') return undefined; // no POSIX owners or modes (Windows)
  const uid = process.getuid();
  if (st.uid !== uid && st.uid !== 0) return `${p} is owned by another user (uid ${st.uid}, the runtime runs as uid ${uid})`;
  if ((st.mode & WRITABLE_BY_OTHERS) !== 0) {
    const who = (st.mode & 0o020 ? ['group'] : []).concat(st.mode & 0o002 ? ['others'] : []).join(' and ');
    return `${p} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

/** Owner and mode of one path: cdk.out, its manifest and template (a link is followed: its own mode is always 0777). */
function checkOwnerAndMode(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch (err) {
    return `${p} cannot be read (${err.code || err.message})`;
  }
  return ownershipProblem(p, st);
}

/**
 * Walks `assetDir` in CDK's order, checking every entry and folding each file into the fingerprint.
 * Files are opened without following links and checked through the open descriptor, so what is
 * checked is what is hashed. Returns the fingerprint, or the first problem found.
 */
function walkBundle(assetDir) {
  const hash = createHash('sha256');
  hashField(hash, 'options.extra', '');
  hashField(hash, 'options.follow', 'external');
  const visit = (dir) => {
    const names = fs.readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return `${p} is a symbolic link`;
      if (st.isDirectory()) {
        const problem = ownershipProblem(p, st) || visit(p);
        if (problem) return problem;
        continue;
      }
      if (!st.isFile()) return `${p} is not a regular file`;
      const fd = fs.openSync(p, fs.constants.O_RDONLY | O_NOFOLLOW);
      try {
        const opened = fs.fstatSync(fd);
        const problem = opened.isFile() ? ownershipProblem(p, opened) : `${p} is not a regular file`;
        if (problem) return problem;
        hashField(hash, `file:${path.relative(assetDir, p).split(path.sep).join('/')}`, fileFingerprint(fd));
      } finally {
        fs.closeSync(fd);
      }
    }
    return undefined;
  };
  const problem = visit(assetDir);
  return problem ? { problem } : { fingerprint: hash.digest('hex') };
}

/** CDK's OUTPUT asset hash of a bundle folder (what names its `asset.<hash>` folder). */
function bundleFingerprint(assetDir) {
  const r = walkBundle(assetDir);
  if (r.problem) throw new Error(r.problem);
  return r.fingerprint;
}

/**
 * Checks one bundle before it is loaded: the folder holding it, the bundle folder and everything in
 * it (owner, mode, no links), then its content against `assetHash`. Returns undefined when it may
 * be loaded, else the problem, naming the path.
 */
function checkBundle(assetDir, assetHash) {
  try {
    const parent = path.dirname(assetDir);
    const problem = checkOwnerAndMode(parent) || checkFolder(assetDir);
    if (problem) return problem;
    const r = walkBundle(assetDir);
    if (r.problem) return r.problem;
    if (r.fingerprint !== assetHash) {
      return `${assetDir} does not match the asset hash CDK recorded at synth (content hash ${r.fingerprint.slice(0, 12)}..., expected ${String(assetHash).slice(0, 12)}...): it changed after synth`;
    }
    return undefined;
  } catch (err) {
    return `${assetDir} cannot be checked (${err.code ? `${err.code} ${err.path || ''}`.trim() : err.message})`;
  }
}

function checkFolder(p) {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return `${p} is a symbolic link`;
  if (!st.isDirectory()) return `${p} is not a folder`;
  return ownershipProblem(p, st);
}

/**
 * Removes group and other write permission from `root` and everything under it that this user owns
 * (CDK's bundling leaves asset folders 0777). Links are not followed; other users' files are left
 * alone (the check refuses them). Returns the paths it changed.
 */
function tightenTree(root) {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const changed = [];
  if (uid === undefined) return changed;
  const walk = (p) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // removed meanwhile
    }
    if (st.isSymbolicLink() || st.uid !== uid) return;
    if ((st.mode & WRITABLE_BY_OTHERS) !== 0) {
      fs.chmodSync(p, st.mode & 0o7777 & ~WRITABLE_BY_OTHERS);
      changed.push(p);
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return changed;
}

module.exports = { BUNDLE_REJECTED, bundleFingerprint, checkBundle, checkOwnerAndMode, tightenTree };
