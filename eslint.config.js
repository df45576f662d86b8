import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Imports flow one way: pages → src/api → src/common. The worker serves the
 * contract (src/api) and drives the node over src/link; the node's half sees
 * only src/link and src/common; src/common imports nothing of ours outside itself.
 * src/client is the library other extensions bundle; src/site the content
 * scripts of an allowed site, built on that library.
 */
const layers = {
  common: [],
  link: ['common'],
  api: ['common'],
  offscreen: ['common', 'link'],
  background: ['common', 'link', 'api'],
  ui: ['common', 'api'],
  popup: ['common', 'api', 'ui'],
  options: ['common', 'api', 'ui'],
  client: ['common', 'api'],
  site: ['common', 'api', 'client'],
  firefox: ['common', 'link', 'background', 'offscreen']
}
const boundaries = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: Object.keys(layers)
        .filter(other => other !== layer && !allowed.includes(other))
        .map(other => ({ group: [`**/${other}/*`, `**/${other}/**`], message: `src/${layer} may import only ${['itself', ...allowed.map(a => `src/${a}`)].join(', ')}.` }))
    }]
  }
}))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node, ...globals.serviceworker, chrome: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty-pattern': 'off',
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error'
    }
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' }
  },
  ...boundaries,
  {
    // Written by protons from the .proto beside each (npm run protos): its namespaces are how protons shapes codecs.
    files: ['src/common/wire/ice-offer.ts', 'src/common/wire/frame.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off', '@typescript-eslint/no-unused-vars': 'off' }
  }
)
