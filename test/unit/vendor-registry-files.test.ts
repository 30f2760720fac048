import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FACETS } from '../../scripts/registry/facets';
import { REGISTRIES } from '../../scripts/registry/registries';
import { type Registry, renderRegistry } from '../../scripts/registry/render';
import { PROJECT_DIR } from '../support/project-dir';

const packageImports = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { imports: Record<string, Record<string, string>> }).imports;

describe('the registry: one list of vendors, every facet list written from it (scripts/registry/)', () => {
  it.each(REGISTRIES.map((r) => [r.list, r] as const))('the lists of %s say what it says (npm run registry writes them)', (_list, registry) => {
    for (const [file, text] of renderRegistry(registry, PROJECT_DIR)) {
      expect(readFileSync(join(PROJECT_DIR, file), 'utf8'), `${file} is stale: run npm run registry`).toBe(text);
    }
  });

  it('writes each list where its #vendors/ import finds it, by default and under the fixture condition', () => {
    for (const facet of FACETS) {
      const entry = packageImports[`#vendors/${facet.key}`];
      expect(entry?.default, facet.key).toBe(`./${facet.out}`);
      expect(entry?.['procure-fixture-vendor'], facet.key).toBe(`./${REGISTRIES[1]!.outOf(facet)}`);
    }
    // Every #vendors/ import but the names (the hand-written list itself) is a facet.
    expect(
      Object.keys(packageImports)
        .filter((k) => k.startsWith('#vendors/'))
        .sort(),
    ).toEqual(['#vendors/names', ...FACETS.map((f) => `#vendors/${f.key}`)].sort());
  });

  describe('a list with a new vendor', () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const give = (vendor: string, files: readonly string[]) => {
      for (const f of files) {
        const path = join(root, 'vendors', vendor, `${f}.ts`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '');
      }
    };
    const registry = (vendors: string[]): Registry => ({
      list: 'names.ts',
      vendors,
      folderOf: (v) => `vendors/${v}`,
      outOf: (f) => `lists/${f.key}.ts`,
    });
    const required = FACETS.filter((f) => !f.optional).map((f) => f.file);
    // As written, not formatted: these folders are not the project's.
    const render = (r: Registry) => renderRegistry(r, root, (_file, text) => text);

    it('lists it in every facet, null where it gives no optional one', () => {
      give('acme', required);
      const lists = render(registry(['acme']));
      expect(lists.get('lists/quoters.ts')).toContain("import * as acmeModule from '../vendors/acme/composition/quoter';");
      expect(lists.get('lists/quoters.ts')).toContain('return { acme: acmeModule.quoter() };');
      expect(lists.get('lists/preparations.ts')).toContain('return { acme: null };');
      expect(lists.get('lists/sign-ins.ts')).toContain('= { acme: null };');
      expect(lists.get('lists/profiles.ts')).toContain('export const REGISTERED_PROFILES = [acmeModule.profile] as const;');
    });

    it('refuses a name that cannot be a folder, a variable and an identifier, by name', () => {
      give('acme', required);
      expect(() => render(registry(['acme', 'acme-cloud', 'Big']))).toThrow(
        "names.ts: a vendor's name is lowercase letters and digits, starting with a letter (acme-cloud, Big)",
      );
    });

    it("gives a keyword or the base list's own name no clash: each vendor is a namespace of its own", () => {
      give('new', required);
      give('base', required);
      const lists = render({ ...registry(['acme', 'new', 'base']), outOf: (f) => `more/${f.key}.ts`, extends: registry(['acme']) });
      expect(lists.get('more/stacks.ts')).toContain('{ ...base, new: newModule.stack, base: baseModule.stack }');
    });

    it('refuses a vendor that lacks a facet every vendor gives, by name', () => {
      give('half', ['core/profile']);
      expect(() => render(registry(['half']))).toThrow('vendor half has no composition/quoter.ts, which every vendor gives (quoters)');
    });

    it('extends another list with only its own vendors', () => {
      give('acme', required);
      give('extra', [...required, 'composition/leftovers']);
      const base = registry(['acme']);
      const lists = render({ ...registry(['acme', 'extra']), outOf: (f) => `more/${f.key}.ts`, extends: base });
      expect(lists.get('more/leftovers.ts')).toContain("import { vendorLeftovers as base } from '../lists/leftovers';");
      expect(lists.get('more/leftovers.ts')).toContain('return { ...base(), extra: extraModule.leftovers() };');
      expect(lists.get('more/stacks.ts')).not.toContain('acme');
    });
  });
});
