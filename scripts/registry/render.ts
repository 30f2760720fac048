import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { FACETS, type Facet, type TypeImport } from './facets';

/**
 * Writes the registry's facet lists (./facets.ts) from one list of vendors (issue #10: "registered
 * in one list"). `npm run registry` writes them (../vendor-registry.ts); a test renders them again
 * and compares, so a list that does not say what the vendors' list says fails `npm test`.
 */

/** One list of vendors and where its facet lists go. */
export interface Registry {
  /** The hand-written list of names, from the project root. */
  readonly list: string;
  /** Its vendors, in order. */
  readonly vendors: readonly string[];
  /** The folder of a vendor, from the project root. */
  folderOf(vendor: string): string;
  /** Where a facet's list goes, from the project root. */
  outOf(facet: Facet): string;
  /** A list that extends another: it spreads that one's and adds its own vendors. */
  readonly extends?: Registry;
}

/** Each facet list's file, from the project root, and its text. */
export function renderRegistry(registry: Registry, root: string, format: (file: string, text: string) => string = biomeFormat(root)): Map<string, string> {
  const bad = registry.vendors.filter((v) => !VENDOR_NAME.test(v));
  if (bad.length) throw new Error(`${registry.list}: a vendor's name is lowercase letters and digits, starting with a letter (${bad.join(', ')})`);
  return new Map(
    FACETS.map((facet) => {
      const out = registry.outOf(facet);
      return [out, format(out, renderFacet(facet, registry, root))];
    }),
  );
}

/** A vendor's name: its folder, its `<VENDOR>_SECRET_ARN`, its functions' construct ids and a key in every list. */
const VENDOR_NAME = /^[a-z][a-z0-9]*$/;

/** Formats `text` as `npm test`'s `biome check` wants the file `file` (the lists are checked like any other code). */
export function biomeFormat(root: string): (file: string, text: string) => string {
  return (file, text) => {
    const r = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${file}`], { cwd: root, input: text, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`biome could not format ${file}: ${r.stderr}`);
    return r.stdout;
  };
}

function renderFacet(facet: Facet, registry: Registry, root: string): string {
  const out = registry.outOf(facet);
  const base = registry.extends;
  const own = base ? registry.vendors.filter((v) => !base.vendors.includes(v)) : registry.vendors;
  const given = own.filter((v) => {
    const found = existsSync(join(root, registry.folderOf(v), `${facet.file}.ts`));
    if (!found && !facet.optional) throw new Error(`vendor ${v} has no ${facet.file}.ts, which every vendor gives (${facet.key})`);
    return found;
  });
  // A namespace a vendor, `<vendor>Module.<name>`: no vendor's name can clash with a keyword or another import.
  const imports = given.map((v) => `import * as ${moduleOf(v)} from '${specifier(out, `${registry.folderOf(v)}/${facet.file}`)}';`);
  if (base) imports.unshift(`import { ${facet.shape.exportName} as ${BASE} } from '${specifier(out, base.outOf(facet).replace(/\.ts$/, ''))}';`);
  const type = base ? facet.types.fixture : facet.types.procure;
  const typeImports = type ? facet.types.imports.flatMap((t) => typeImport(out, t, type) ?? []) : [];
  const entries = own.map((v) => entryOf(facet, v, given.includes(v)));
  if (base) entries.unshift(facet.shape.kind === 'factories' ? `...${BASE}()` : `...${BASE}`);
  return [HEADER(registry.list), ...imports, ...typeImports, '', `/** ${facet.about} */`, body(facet, entries, type, !base), ''].join('\n');
}

const BASE = 'base';

const HEADER = (list: string) =>
  `// Written by \`npm run registry\` (scripts/registry/) from the list of vendors in ${list}: edit that\n// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).`;

const moduleOf = (vendor: string) => `${vendor}Module`;

function entryOf(facet: Facet, vendor: string, given: boolean): string {
  if (!given) return `${vendor}: null`;
  const member = `${moduleOf(vendor)}.${facet.name}`;
  if (facet.shape.kind === 'tuple') return member;
  return `${vendor}: ${facet.shape.kind === 'factories' ? `${member}()` : member}`;
}

function body(facet: Facet, entries: readonly string[], type: string | undefined, procure: boolean): string {
  const { kind, exportName } = facet.shape;
  if (kind === 'tuple') return `export const ${exportName} = [${entries.join(', ')}] as const;`;
  const record = `{ ${entries.join(', ')} }`;
  if (kind === 'factories') return `export function ${exportName}(): ${type} {\n  return ${record};\n}`;
  if (type && facet.types.satisfies && procure) return `export const ${exportName} = ${record} as const satisfies ${type};`;
  return type ? `export const ${exportName}: ${type} = ${record};` : `export const ${exportName} = ${record} as const;`;
}

/** The names of `t` the type uses, imported as types; none used, no import. */
function typeImport(out: string, t: TypeImport, type: string): string | undefined {
  const names = t.names.split(', ').filter((n) => new RegExp(`\\b${n}\\b`).test(type));
  return names.length ? `import type { ${names.join(', ')} } from '${specifier(out, t.from)}';` : undefined;
}

/** A relative import from the file `from` to the module `to` (both from the project root). */
function specifier(from: string, to: string): string {
  const rel = relative(dirname(from), to).split(sep).join(posix.sep);
  return rel.startsWith('.') ? rel : `./${rel}`;
}
