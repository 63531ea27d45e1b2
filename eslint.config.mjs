// ESLint flat config, run by `npm run lint` / `npm test` / CI as `eslint . --max-warnings 0`.
// Every rule here is "error" or "off": the repository has no warnings.
// Formatting belongs to Prettier (.prettierrc.json); eslint-config-prettier, last, turns off the rules that would fight it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The API's TypeScript program (tsconfig.json): type-aware rules run on these. */
const TYPED = ['apps/portal-api/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];
const WEB = ['apps/portal-web/src/**/*.{ts,tsx}'];

/** A plugin preset's "warn" becomes "error" (no warnings here). */
const warnToError = (rules) => Object.fromEntries(Object.entries(rules).map(([name, level]) => [name, level === 'warn' || level === 1 ? 'error' : level]));

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', 'coverage/', 'test-artifacts/', 'bench/results/', 'docs/', '.data/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (a signature needs the parameter; a destructuring drops a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  // Node: the API, libs, tests, benches, scripts, root config files.
  {
    files: ['apps/portal-api/**', 'libs/**', 'test/**', 'bench/**', 'scripts/**', '*.{js,mjs,cjs,ts}', 'apps/portal-web/vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // package.json has no "type": .js files are CommonJS, loading modules with require().
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Browser tests: the callbacks given to page.evaluate() run in the page.
    files: ['test/web/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },

  // Type-aware rules for the API, libs, tests and benches: typescript-eslint's recommendedTypeChecked, plus a few.
  {
    files: TYPED,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Off: an async method without await still implements a Promise-returning interface, and turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Off where `any` is the input: pg rows in the repositories' row mappers, JSON response bodies in the e2e and unit specs,
    // and untyped third-party objects. The pure libs (libs/*/src, non-spec) and the benches keep them on.
    files: ['apps/portal-api/**/*.ts', 'test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Off: misreads a const that only a parameter decorator reads (`@ZodQuery(querySchema)`) as never used
    // (eslint/eslint#20947); TypeScript's noUnusedLocals covers unused values there.
    files: ['apps/portal-api/**/*.ts'],
    rules: { 'no-useless-assignment': 'off' },
  },

  // The web app: browser globals, the Rules of Hooks and the React Compiler's checks.
  {
    files: WEB,
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: warnToError(reactHooks.configs.flat.recommended.rules),
  },

  prettier,
);
