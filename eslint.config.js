// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** The TypeScript the project compiles and tests (tsconfig.json's include); type-aware rules need its program. */
const tsFiles = [
  ...['src', 'domain', 'commands', 'queries', 'projections', 'bench', 'test', 'web'].map((dir) => `${dir}/**/*.ts`),
  'web/**/*.tsx',
];

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'data/', '.tap/', 'coverage/'] },
  {
    files: tsFiles,
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // tap queues `t.test(...)` subtests and the parent waits for them before it ends, so a subtest's promise is
          // not lost when it is not awaited; that is how every test file here is written.
          allowForKnownSafePromises: [{ from: 'package', package: '@tapjs/core', name: 'PromiseWithSubtest' }],
        },
      ],
      // Fastify's types already accept a promise from hooks, handlers and plugins, so the default (checksVoidReturn on)
      // only fires where a promise really goes to a callback that ignores it.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // The rule's own default allows URLSearchParams, but only the DOM lib's; this project has no DOM lib and gets it
      // from @types/node, whose toString() is the query string that `?${params}` means.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', package: 'url', name: 'URLSearchParams' },
          ],
        },
      ],
      // Off: Fastify plugins (FastifyPluginAsync), hooks and handlers, and ports such as the payment provider or the job
      // queue, return promises by contract; an `async` implementation that happens not to await is correct there,
      // and that is every hit this rule has in the codebase.
      '@typescript-eslint/require-await': 'off',
      // The same conventions tsc's noUnusedLocals/noUnusedParameters accept: `_`-prefixed names, and properties taken
      // out of an object only to leave them out of its `...rest`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read responses as untyped JSON (`res.json()` is `any`) and assert on them; typing each body adds nothing
      // the assertions don't already check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Last: turns off every stylistic rule that would fight Prettier.
  prettier,
);
