// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A modest rule set: ESLint's and typescript-eslint's recommended rules (syntax only, no type
 * information, so the whole tree lints in seconds), less the few that fight the code's style.
 * Import boundaries are dependency-cruiser's (.dependency-cruiser.cjs); formatting is Prettier's.
 */
export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'migrations/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `(list.push(x), n++)` and `ok && list.push(x)` are the code's idiom for two small effects at once
      '@typescript-eslint/no-unused-expressions': 'off',
      // input validation matches control characters on purpose (U+0000-U+001F are refused)
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Tests read loosely typed JSON answers; `any` there is the answer's shape left unchecked by the compiler, checked by the assertions.
    files: ['test/**'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
