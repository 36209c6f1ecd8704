// ESLint for the front end: only the rules that catch real mistakes (a name used but never
// defined or imported, an import left unused), not style. `make lint` and the tests run it.
import globals from 'globals';

export default [
  {
    files: ['frontend/**/*.js', 'frontend/**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      'no-undef': 'error',
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
    },
  },
  {
    files: ['frontend/*.mjs', 'frontend/tests/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['frontend/src/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
];
