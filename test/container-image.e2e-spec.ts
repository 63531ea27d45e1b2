import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The container image, checked without a Docker engine: what the Dockerfile copies exists (in the repository for
 * the build stage, in the build output for the runtime stage) and passes .dockerignore, the entrypoints it and
 * the Helm chart name exist after `npm run build`, the runtime user is non-root, and no secret is baked in.
 */
const root = join(__dirname, '..');

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

/** Dockerfile instructions, continuation lines joined, each tagged with its stage. */
function dockerfile(): Instruction[] {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  let stage = '';
  const out: Instruction[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, op, args] = m;
    if (op === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    out.push({ op, args: args.trim(), stage });
  }
  return out;
}

/** Docker's .dockerignore semantics for the patterns used here: the last matching pattern wins; a match on a folder covers its files. */
function ignored(path: string): boolean {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (p: string) =>
    new RegExp(
      `^${p
        .replace(/\/$/, '')
        .replace(/[.+^${}()|[\]]/g, '\\$&')
        .replace(/\*\*\//g, '@@')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/@@/g, '(.*/)?')}(/.*)?$`,
    );
  let excluded = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    if (toRegex(negated ? raw.slice(1) : raw).test(path)) excluded = !negated;
  }
  return excluded;
}

const json = (args: string): string[] => JSON.parse(args) as string[];
const steps = dockerfile();
const runtime = steps.filter((s) => s.stage === 'runtime');

describe('container image (Dockerfile, .dockerignore)', () => {
  it('is multi-stage: a build stage, then a Node 20 runtime stage', () => {
    const froms = steps.filter((s) => s.op === 'FROM');
    expect(froms.map((f) => f.stage)).toEqual(['build', 'runtime']);
    const base = /^ARG NODE_IMAGE=(\S+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(base).toMatch(/^node:20(\.\d+)*-(bookworm|bullseye)-slim(@sha256:[a-f0-9]{64})?$/);
    const build = steps.filter((s) => s.stage === 'build' && s.op === 'RUN').map((s) => s.args);
    expect(build.join('\n')).toMatch(/npm ci\b/);
    expect(build.join('\n')).toMatch(/npm run build\b/);
    expect(build.join('\n')).toMatch(/npm prune --omit=dev/);
  });

  it('every COPY source of the build stage exists in the repository and is in the build context', () => {
    const copies = steps.filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect([src, existsSync(join(root, src))]).toEqual([src, true]);
        expect([src, ignored(src)]).toEqual([src, false]);
      }
    }
    // What the build needs to compile is in the context; nothing else is.
    for (const needed of ['apps/portal-api/src/main.ts', 'apps/portal-web/index.html', 'libs/sla/src/index.ts', 'package-lock.json'])
      expect([needed, ignored(needed)]).toEqual([needed, false]);
    for (const kept of [
      '.env',
      '.env.production',
      '.data/secret.key',
      '.data/pg/PG_VERSION',
      'node_modules/pg/package.json',
      'dist/apps/x.js',
      '.git/config',
      'test/rls.e2e-spec.ts',
      'deploy/helm/incident-portal/values.yaml',
      'apps/portal-api/src/module-boundaries.spec.ts',
      'tls.key',
      'apps/certs/server.pem',
      '.cache/helm/helm-2.2.2/helm',
    ]) {
      expect([kept, ignored(kept)]).toEqual([kept, true]);
    }
  });

  it('every COPY --from=build source exists in the build output (after npm run build)', () => {
    expect(existsSync(join(root, 'dist/apps/portal-api/src/main.js'))).toBe(true); // run `npm run build` first
    const workdir = steps.find((s) => s.stage === 'build' && s.op === 'WORKDIR')!.args;
    const copies = runtime.filter((s) => s.op === 'COPY');
    expect(copies.length).toBeGreaterThanOrEqual(3);
    for (const c of copies) {
      expect(c.args).toMatch(/^--from=build\s/);
      const [src] = c.args.replace(/--\S+\s+/g, '').split(/\s+/);
      expect(src.startsWith(`${workdir}/`)).toBe(true);
      const local = src.slice(workdir.length + 1);
      expect([local, existsSync(join(root, local))]).toEqual([local, true]);
    }
    // The web app the api serves (WEB_DIST_DIR) is in the copied build output.
    expect(existsSync(join(root, 'dist/portal-web/index.html'))).toBe(true);
  });

  it('the entrypoints named by the image and by the Helm chart exist in the build output', () => {
    const cmd = json(runtime.find((s) => s.op === 'CMD')!.args);
    const entrypoint = json(runtime.find((s) => s.op === 'ENTRYPOINT')!.args);
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(cmd[0]).toBe('node');
    const workdir = runtime.find((s) => s.op === 'WORKDIR')!.args;
    const named = new Set<string>([cmd[1]]);
    const templates = join(root, 'deploy/helm/incident-portal/templates');
    for (const f of ['_deployment.tpl', 'migrations-job.yaml']) {
      for (const m of readFileSync(join(templates, f), 'utf8').matchAll(/args: (\[.*\])/g)) named.add(json(m[1])[1]);
    }
    expect([...named].sort()).toEqual(['dist/apps/portal-api/src/cli.js', 'dist/apps/portal-api/src/main.js']);
    for (const file of named) {
      expect(workdir).toBe('/app');
      expect([file, existsSync(join(root, file)) && statSync(join(root, file)).size > 0]).toEqual([file, true]);
    }
    // The CLI knows the migrate command the Job runs.
    expect(readFileSync(join(root, 'dist/apps/portal-api/src/cli.js'), 'utf8')).toContain("command === 'migrate'");
  });

  it('runs as a numeric non-root user, the same the chart runs as', () => {
    const users = runtime.filter((s) => s.op === 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0].args.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    // USER comes after every RUN, so nothing after it runs as root.
    expect(runtime.indexOf(users[0])).toBeGreaterThan(Math.max(...runtime.map((s, i) => (s.op === 'RUN' ? i : -1))));
    const values = parse(readFileSync(join(root, 'deploy/helm/incident-portal/values.yaml'), 'utf8'));
    expect(values.podSecurityContext.runAsUser).toBe(Number(uid));
    expect(values.containerSecurityContext.runAsUser).toBe(Number(uid));
  });

  it('fits a read-only root filesystem: HOME, TMPDIR and the XDG folders are under /tmp; evidence has its own volume', () => {
    const env = runtime
      .filter((s) => s.op === 'ENV')
      .flatMap((s) => [...s.args.matchAll(/(\w+)=(\S+)/g)])
      .reduce<Record<string, string>>((o, m) => ({ ...o, [m[1]]: m[2] }), {});
    for (const k of ['HOME', 'TMPDIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) expect([k, env[k]]).toEqual([k, expect.stringMatching(/^\/tmp(\/|$)/)]);
    expect(json(runtime.find((s) => s.op === 'VOLUME')!.args)).toEqual(['/tmp', env.EVIDENCE_DIR]);
    expect(env).toEqual(
      expect.objectContaining({
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        WEB_DIST_DIR: '/app/dist/portal-web',
        PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium',
      }),
    );
    const values = parse(readFileSync(join(root, 'deploy/helm/incident-portal/values.yaml'), 'utf8'));
    expect(values.evidence.dir).toBe(env.EVIDENCE_DIR);
    expect(values.containerPort).toBe(Number(env.PORT));
    expect(runtime.find((s) => s.op === 'EXPOSE')!.args).toBe(env.PORT);
  });

  it('installs Chromium and fonts for the PDF renderer, and tini', () => {
    const run = runtime
      .filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join(' ');
    for (const pkg of ['chromium', 'fonts-liberation', 'fonts-noto-core', 'fonts-noto-color-emoji', 'fonts-dejavu-core', 'tini', 'ca-certificates']) {
      expect([pkg, new RegExp(`\\s${pkg}(\\s|$)`).test(run)]).toEqual([pkg, true]);
    }
    expect(run).toContain('--no-install-recommends');
    expect(run).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('carries the OCI labels', () => {
    const labels = runtime.filter((s) => s.op === 'LABEL').flatMap((s) => [...s.args.matchAll(/(org\.opencontainers\.image\.[a-z.]+)=/g)].map((m) => m[1]));
    expect(labels).toEqual(
      expect.arrayContaining(
        ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source', 'vendor'].map((k) => `org.opencontainers.image.${k}`),
      ),
    );
  });

  it('bakes no secret in: no credential in ENV or ARG, nothing from .data or .env copied', () => {
    const text = steps.map((s) => `${s.op} ${s.args}`).join('\n');
    const assigned = steps.filter((s) => s.op === 'ENV' || s.op === 'ARG').flatMap((s) => [...s.args.matchAll(/(\w+)=/g)].map((m) => m[1]));
    expect(assigned.filter((n) => /PASSWORD|SECRET|TOKEN|DATABASE_URL|REDIS_URL|ACCESS_KEY|PRIVATE|CREDENTIAL/.test(n))).toEqual([]);
    expect(text).not.toMatch(/-----BEGIN|\.data\/|(^|[\s/"])\.env\b|secret\.key/m);
    expect(steps.filter((s) => s.op === 'ADD')).toEqual([]); // COPY only: no remote URLs, no auto-extraction
  });
});
