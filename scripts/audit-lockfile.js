#!/usr/bin/env node
// Supply-chain check on the lockfile. First asks the registry (`npm audit --package-lock-only`); the registry
// reachable here refuses audit requests, so it then checks every package in package-lock.json against the
// advisory list kept in the repository (security/advisories.json) and says which check it ran.
// Also fails when the lockfile is not complete (a package in package.json that the lockfile does not pin).
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const semver = require('semver');

const root = join(__dirname, '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];

for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
  if (!lock.packages[`node_modules/${name}`]) problems.push(`lockfile: ${name} is in package.json but not pinned in package-lock.json`);
}

const audit = spawnSync('npm', ['audit', '--package-lock-only', '--json', '--audit-level=high'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
let viaRegistry = false;
try {
  const report = JSON.parse(audit.stdout);
  if (report.metadata?.vulnerabilities) {
    viaRegistry = true;
    const { high = 0, critical = 0 } = report.metadata.vulnerabilities;
    if (high + critical > 0) problems.push(`npm audit: ${high} high and ${critical} critical vulnerabilities (run npm audit for details)`);
  }
} catch {
  // no JSON: the registry refused or did not answer
}

const { advisories } = JSON.parse(readFileSync(join(root, 'security', 'advisories.json'), 'utf8'));
let checked = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.includes('node_modules/') || !entry.version) continue;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  checked++;
  for (const a of advisories) {
    if (a.package === name && semver.satisfies(entry.version, a.vulnerable, { includePrerelease: true })) {
      problems.push(`${name}@${entry.version} (${path}): ${a.id} ${a.title} (vulnerable ${a.vulnerable})`);
    }
  }
}

const how = viaRegistry
  ? 'npm audit (registry) and the repository advisory list'
  : `the repository advisory list (${advisories.length} advisories; the registry refused npm audit)`;
if (problems.length) {
  console.error(`[audit] ${problems.length} problem(s), checked ${checked} locked packages against ${how}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`[audit] lockfile complete; ${checked} locked packages checked against ${how}: none vulnerable`);
