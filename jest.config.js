/** Two levels, as in the house style: unit specs beside the code, e2e suites in test/ on a real PostgreSQL. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
// status page (issue 14 part B): `feed` ships ES modules only. Node 20.19+ requires it natively; Jest's own
// loader does not (before Node 24.9), so Jest compiles that one package to CommonJS.
const transform = { '^.+\\.tsx?$': swc, '/node_modules/feed/.+\\.js$': swc };
const transformIgnorePatterns = ['/node_modules/(?!feed/)'];
const moduleNameMapper = {
  '^@portal/(tenancy|sla|contracts|har-sanitizer|pir-pdf)$': '<rootDir>/libs/$1/src/index.ts',
};
module.exports = {
  // Global: Jest ignores testTimeout inside a project. Real databases, Redis and IdPs under CI load need room.
  testTimeout: 60000,
  // The generated suites (fuzzer, isolation matrix) flood the shared e2e database: they run last.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/portal-api/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
