/** Types of bundle-integrity.cjs (plain CommonJS: the Lambda workers load it without TypeScript). */

/** errorType of an invocation whose bundle was refused (the function never ran). */
export declare const BUNDLE_REJECTED: 'Local.BundleRejected';
/** CDK's OUTPUT asset hash of a bundle folder (what names its `asset.<hash>` folder); throws on a link or an unreadable entry. */
export declare function bundleFingerprint(assetDir: string): string;
/** Undefined when the bundle may be loaded, else the problem, naming the path. */
export declare function checkBundle(assetDir: string, assetHash: string): string | undefined;
/** Undefined when `path` (a link followed) is owned by this user or root and not writable by group or others, else the problem. */
export declare function checkOwnerAndMode(path: string): string | undefined;
/** Removes group/other write from `root` and everything under it that this user owns; returns the paths changed. */
export declare function tightenTree(root: string): string[];
