/**
 * `npm run relay:bundle [-- OUT_DIR]`: the relay as one file for a server.
 * Writes `dist/relay/peerlink-relay.mjs` (relay/main.ts and everything it
 * imports) and, beside it, a package.json naming the native modules the
 * bundle leaves out. On the server: copy the folder, `npm install --omit=dev`
 * there once, then `node peerlink-relay.mjs --help`.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * What the bundle imports at run time instead of holding: packages with a
 * compiled `.node` addon, which a bundle cannot carry and which npm must fetch
 * for the server's own platform. better-sqlite3 keeps the mailbox; @libp2p/webrtc's
 * WebRTC-direct listener runs on node-datachannel, which finds its addon in
 * a per-platform package (@node-datachannel/linux-x64-gnu, …) that npm picks.
 */
export const RELAY_EXTERNALS = ['better-sqlite3', 'node-datachannel'] as const

/** The bundle's file name, in the output folder. */
export const RELAY_BUNDLE_FILE = 'peerlink-relay.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// Some CommonJS dependencies (prom-client, ws, …) call require() on Node's own modules, which an ES module lacks.
const BANNER = "import { createRequire as __peerlinkCreateRequire } from 'node:module';\nconst require = __peerlinkCreateRequire(import.meta.url);"

/** The version of `name` installed in the repository's node_modules. */
export function installedVersion (name: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }
  if (typeof manifest.version !== 'string') throw new Error(`node_modules/${name}/package.json has no version`)
  return manifest.version
}

/** The package.json written beside the bundle: what `npm install` must fetch on the server, pinned to what was bundled against. */
export function relayPackageJson (): Record<string, unknown> {
  return {
    name: 'peerlink-relay',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(RELAY_EXTERNALS.map(name => [name, installedVersion(name)]))
  }
}

/** Bundles relay/main.ts into `outDir`, with its package.json; returns the bundle's path and size. */
export async function bundleRelay (outDir: string): Promise<{ file: string, bytes: number }> {
  const file = join(outDir, RELAY_BUNDLE_FILE)
  await build({
    entryPoints: [join(ROOT, 'relay/main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: [...RELAY_EXTERNALS],
    banner: { js: BANNER },
    // Kept readable: an operator's stack trace then names real functions.
    minify: false,
    logLevel: 'warning'
  })
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(relayPackageJson(), null, 2)}\n`)
  return { file, bytes: statSync(file).size }
}

if (process.argv[1] != null && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'dist/relay'))
  const { file, bytes } = await bundleRelay(outDir)
  console.log(`relay bundle: ${file} (${(bytes / 1024 / 1024).toFixed(1)} MiB) and ${join(outDir, 'package.json')}`)
  console.log(`on the server: copy ${outDir}/ there, run npm install --omit=dev in it once, then node ${RELAY_BUNDLE_FILE} --help`)
}
