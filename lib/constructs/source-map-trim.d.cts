/** Types of source-map-trim.cjs (plain CommonJS: the functions' bundling hook runs it with node alone). */

/** A version 3 source map as esbuild writes it. */
export interface SourceMapV3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  [field: string]: unknown;
}

/** Whether a map's source is a library's (under a node_modules folder). */
export declare function isLibrarySource(source: string): boolean;
/** The map with only procure's own mappings; library positions become unmapped, `sources` stays whole. */
export declare function trimSourceMap(map: SourceMapV3): SourceMapV3;
/** Trims the map file at `path` in place. */
export declare function trimSourceMapFile(path: string): void;
