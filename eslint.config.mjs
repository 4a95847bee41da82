// ESLint flat config for the browser code (pwa/static/js) and its Node unit tests (tests/js).
// ESLint and its packages live in the git-ignored .tools/ folder (scripts/check installs
// them there), so they are loaded from it rather than from a node_modules at the root.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./.tools/', import.meta.url));
const js = require('@eslint/js');
const globals = require('globals');

export default [
  { ignores: ['.tools/', '.venv/', 'audio/', 'bench/out/'] },
  js.configs.recommended,
  {
    files: ['pwa/static/js/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    // The service worker is a classic script with its own globals (self, caches, clients).
    files: ['pwa/static/js/sw.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
  {
    // Runs before the first paint, so a classic script, not a module.
    files: ['pwa/static/js/early.js'],
    languageOptions: { ecmaVersion: 2015, sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['tests/js/**/*.js', 'eslint.config.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    rules: {
      eqeqeq: ['error', 'always'],
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'prefer-const': 'error',
      'no-var': 'error',
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
];
