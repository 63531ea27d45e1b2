import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The module boundaries, as a test in the style of the deny-by-default route test, so they cannot erode
 * silently: a module's repositories are its own (other modules, tests and benchmarks use its exported
 * service), and libs/ never import from apps/ nor reach into another lib's files.
 */
const ROOT = resolve(__dirname, '../../..');
const API = join(ROOT, 'apps/portal-api/src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p);
    return /\.(ts|tsx|mjs|js)$/.test(e.name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
}

/** The API module a file belongs to: its first folder under apps/portal-api/src (or null for the root files). */
function moduleOf(file: string): string | null {
  const rel = relative(API, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : null;
}

describe('module boundaries', () => {
  it('no module imports another module’s repository (tests and benchmarks use the exported services too)', () => {
    const offenders: string[] = [];
    const sources = [...files(API), ...files(join(ROOT, 'test')), ...files(join(ROOT, 'bench'))].filter((f) => !f.endsWith('module-boundaries.spec.ts'));
    for (const file of sources) {
      for (const spec of imports(file)) {
        if (!spec.startsWith('.') || !/\.repository$/.test(spec)) continue;
        const target = resolve(dirname(file), spec);
        const owner = moduleOf(target);
        if (owner === null || moduleOf(file) !== owner) offenders.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('libs never import from apps, and reach other libs only through their public index (@portal/<lib>)', () => {
    const offenders: string[] = [];
    for (const file of files(join(ROOT, 'libs'))) {
      const lib = relative(join(ROOT, 'libs'), file).split(sep)[0];
      for (const spec of imports(file)) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : null;
        const intoApps = /(^|\/)apps\//.test(spec) || (target !== null && relative(join(ROOT, 'apps'), target).split(sep)[0] !== '..');
        const intoOtherLib =
          target !== null && !relative(join(ROOT, 'libs', lib), target).startsWith('..')
            ? false
            : target !== null && !relative(join(ROOT, 'libs'), target).startsWith('..');
        const deepImport = /^@portal\/[^/]+\/.+/.test(spec);
        if (intoApps || intoOtherLib || deepImport) offenders.push(`${relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('finds a violation when there is one (the scanner is not blind)', () => {
    expect(imports(join(API, 'incidents/incidents.service.ts'))).toContain('./incidents.repository');
    expect(moduleOf(join(API, 'incidents/incidents.service.ts'))).toBe('incidents');
    expect(moduleOf(join(API, 'evidence/jobs/evidence-retention.job.ts'))).toBe('evidence');
  });
});
