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
  // The welcome page shows the contact card as the popup does, and its link opens the popup.
  welcome: ['common', 'api', 'ui', 'popup'],
  client: ['common', 'api'],
  site: ['common', 'api', 'client'],
  firefox: ['common', 'link', 'background', 'offscreen']
}
const layerPatterns = layer => Object.keys(layers)
  .filter(other => other !== layer && !layers[layer].includes(other))
  .map(other => ({ group: [`**/${other}/*`, `**/${other}/**`], message: `src/${layer} may import only ${['itself', ...layers[layer].map(a => `src/${a}`)].join(', ')}.` }))
const boundaries = Object.keys(layers).map(layer => ({
  files: [`src/${layer}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(layer) }] }
}))

/**
 * Rooms inside each half, one concern a folder. A room imports only the rooms
 * listed for it, and only through their `index.ts`; it never imports the files
 * at the top of its half (the entry point and the wiring), which may import any
 * room, again through its `index.ts`. Listed dependencies must not run in a
 * circle (checked below; `scripts/import-graph.test.ts` checks the real imports).
 */
const rooms = {
  background: { profile: [], peers: ['profile'], delivery: ['profile', 'peers'], mailbox: ['profile', 'peers', 'delivery'], api: ['profile'], node: [] },
  offscreen: { reach: [], ice: ['reach'], streams: ['reach', 'ice'], mailbox: ['reach'] }
}
for (const [half, inside] of Object.entries(rooms)) {
  const seen = new Set()
  const visit = (room, path) => {
    if (path.includes(room)) throw new Error(`rooms of src/${half} import in a circle: ${[...path, room].join(' → ')}`)
    if (seen.has(room)) return
    for (const next of inside[room]) visit(next, [...path, room])
    seen.add(room)
  }
  Object.keys(inside).forEach(room => visit(room, []))
}
const anyRoomButIndex = names => `(${names.join('|')})/(?!index\\.ts$)`
const roomBoundaries = Object.entries(rooms).flatMap(([half, inside]) => [
  {
    files: [`src/${half}/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...layerPatterns(half), { regex: `^\\./${anyRoomButIndex(Object.keys(inside))}`, message: `import a room of src/${half} through its index.ts.` }]
      }]
    }
  },
  ...Object.entries(inside).map(([room, allowed]) => ({
    files: [`src/${half}/${room}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...layerPatterns(half),
          { regex: '^\\.\\./[^./][^/]*$', message: `src/${half}/${room} may not import the top of src/${half}: the wiring imports the rooms, not the other way.` },
          ...Object.keys(inside).filter(other => other !== room && !allowed.includes(other))
            .map(other => ({ regex: `^\\.\\./${other}/`, message: `src/${half}/${room} may import only ${['itself', ...allowed.map(a => `src/${half}/${a}`)].join(', ')} of src/${half}.` })),
          ...(allowed.length > 0 ? [{ regex: `^\\.\\./${anyRoomButIndex(allowed)}`, message: `import a room of src/${half} through its index.ts.` }] : [])
        ]
      }]
    }
  }))
])
// Other folders that reach into a half (Firefox's page runs both) use the rooms' index.ts too.
const outsideIntoRooms = {
  files: ['src/firefox/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        ...layerPatterns('firefox'),
        ...Object.entries(rooms).map(([half, inside]) => ({ regex: `^\\.\\./${half}/${anyRoomButIndex(Object.keys(inside))}`, message: `import a room of src/${half} through its index.ts.` }))
      ]
    }]
  }
}

/**
 * The relay's rooms (stun/, ice/, mailbox/) know nothing of each other or of
 * the relay's top, which wires them: their sources import only themselves and
 * src/common. The top imports a room only through its index.ts. Tests inside
 * a room may start the whole relay.
 */
const relayRooms = ['stun', 'ice', 'mailbox', 'metrics']
const relayBoundaries = [
  {
    files: ['relay/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: `^\\./${anyRoomButIndex(relayRooms)}`, message: 'import a room of relay/ through its index.ts.' }] }] }
  },
  {
    files: relayRooms.map(room => `relay/${room}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!\\.\\./src/common/)', message: 'a room of relay/ imports only itself and src/common: relay/run.ts wires the rooms together.' }]
      }]
    }
  }
]

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
  ...roomBoundaries,
  outsideIntoRooms,
  ...relayBoundaries,
  {
    // Written by protons from the .proto beside each (npm run protos): its namespaces are how protons shapes codecs.
    files: ['src/common/wire/ice-offer.ts', 'src/common/wire/frame.ts', 'src/common/wire/mail.ts', 'src/common/wire/mailbox.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off', '@typescript-eslint/no-unused-vars': 'off' }
  }
)
