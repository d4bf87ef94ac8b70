import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// defineConfig is ESLint's own helper; typescript-eslint deprecated its `tseslint.config` for it.
export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', '.cache/', '.scratch/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier",
          message: "Use `import * as z from 'zod'`: the named import defeats tree-shaking and quintuples every bundle.",
        },
      ],
    },
  },
  {
    // Small named units everywhere but the tests, whose describe blocks are long by nature.
    files: ['bin/**/*.ts', 'lib/**/*.ts', 'functions/**/*.ts', 'local/**/*.ts', 'ops/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }] },
  },
);
