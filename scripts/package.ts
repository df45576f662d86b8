/**
 * `npm run package`: the store packages of the built extension,
 * `dist/packages/peerlink-chrome-<version>.zip` (Chrome Web Store) and
 * `dist/packages/peerlink-firefox-<version>.zip` (addons.mozilla.org), made
 * with web-ext from `dist/chrome` and `dist/firefox` (`npm run build` first;
 * `npm run package` does). The version is package.json's, which the build
 * also writes into both manifests.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

/** The packages' folder, and a package's file name for `target`. */
export const PACKAGES_DIR = join(root, 'dist/packages')
export const packageName = (target: 'chrome' | 'firefox', version: string): string => `peerlink-${target}-${version}.zip`

/** Zips both builds into `outDir`; answers the two paths. Throws when a build is missing or its version is not package.json's. */
export function makePackages (outDir = PACKAGES_DIR): { chrome: string, firefox: string } {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  mkdirSync(outDir, { recursive: true })
  const made = { chrome: '', firefox: '' }
  for (const target of ['chrome', 'firefox'] as const) {
    const sourceDir = join(root, 'dist', target)
    const manifestPath = join(sourceDir, 'manifest.json')
    if (!existsSync(manifestPath)) throw new Error(`no build in dist/${target}: run npm run build first`)
    const built = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string }).version
    if (built !== version) throw new Error(`dist/${target} was built as version ${String(built)}, package.json says ${version}: build again`)
    const file = join(outDir, packageName(target, version))
    rmSync(file, { force: true })
    execFileSync(join(root, 'node_modules/.bin/web-ext'), ['build', '--source-dir', sourceDir, '--artifacts-dir', outDir, '--filename', packageName(target, version), '--overwrite-dest', '--no-config-discovery',
      // Source maps help no one who installs from a store, and double the package; the sources are the repository.
      '--ignore-files', '**/*.map'],
      { stdio: ['ignore', 'ignore', 'inherit'] })
    made[target] = file
  }
  return made
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = makePackages()
  console.log(`wrote ${made.chrome}\nwrote ${made.firefox}`)
}
