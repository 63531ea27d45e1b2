#!/usr/bin/env bash
# Every test, on a fresh clone: installs what is missing, builds, then runs
#   unit specs, e2e suites on the external PostgreSQL, e2e suites on embedded PostgreSQL,
#   the browser tests (Playwright + Debian's Chromium), and a smoke test of the demo start.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "[test] installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
node -e "require('net').connect(6379,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" \
  || { echo "[test] Redis is not answering at 127.0.0.1:6379 (start it: redis-server --daemonize yes)" >&2; exit 1; }

# Each test stage has a ceiling well above its usual time on a busy machine, so a hung process fails the run
# with its stage's name instead of using up CI's 90 minutes.
stage() {
  local limit=$1
  shift
  local code=0
  timeout --kill-after=30 "$limit" "$@" || code=$?
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then echo "[test] stopped after ${limit}: $*" >&2; fi
  return "$code"
}

echo "[test] type-check and build"
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/portal-web/tsconfig.json --noEmit
echo "[test] supply chain: lockfile complete and unchanged by the install, no known-vulnerable version"
git diff --quiet -- package-lock.json 2>/dev/null || { echo "[test] package-lock.json was changed by the install: commit a complete lockfile" >&2; exit 1; }
node scripts/audit-lockfile.js

echo "[test] lint and format"
npx eslint . --max-warnings 0
npx prettier --check .
npm run build

echo "[test] unit specs"
stage 20m npx jest --selectProjects unit --ci --forceExit

echo "[test] e2e on the external PostgreSQL (${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres})"
stage 50m npx jest --selectProjects e2e --ci --runInBand --forceExit

# Every suite ran above; on embedded PostgreSQL (what `npm run demo` uses) a representative set runs:
# the tenant wall, the incident life cycle and clocks, the platform, events and queues, roles, onboarding, evidence.
echo "[test] e2e on embedded PostgreSQL (embedded-postgres package): representative suites"
TEST_DATABASE=embedded stage 25m npx jest --selectProjects e2e --ci --runInBand --forceExit \
  test/rls.e2e-spec.ts test/incidents.e2e-spec.ts test/platform.e2e-spec.ts test/domain-events.e2e-spec.ts \
  test/roles.e2e-spec.ts test/tenant-onboarding.e2e-spec.ts test/evidence.e2e-spec.ts test/sla-history.e2e-spec.ts test/hardening.e2e-spec.ts

if [ -f test/web/run-web-tests.js ]; then
  echo "[test] browser tests"
  stage 30m node test/web/run-web-tests.js
fi

echo "[test] demo start smoke test (embedded PostgreSQL, fresh data folder)"
stage 5m node test/smoke/demo-smoke.js
