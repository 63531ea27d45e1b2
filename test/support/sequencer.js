// The e2e suites share one database per run. The two generated suites flood it (thousands of tenants,
// incidents, outbox rows and status-page changes from hostile requests), so they run last: the suites
// before them see a database the size a deployment has, and their assertions on shared, vendor-wide
// state (status components, the outbox backlog) are not about the fuzzer's leftovers.
const Sequencer = require('@jest/test-sequencer').default;

const LAST = ['isolation-matrix.e2e-spec.ts', 'api-fuzz.e2e-spec.ts'];
const rank = (path) => LAST.findIndex((name) => path.endsWith(name));

class FloodersLast extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((t) => rank(t.path) < 0), ...sorted.filter((t) => rank(t.path) >= 0).sort((a, b) => rank(a.path) - rank(b.path))];
  }
}

module.exports = FloodersLast;
