// bench/scenarios/: one module a measured scenario, each run by bench/run.ts and answering its figures.
/**
 * Bytes of the built extension's scripts (dist/chrome): each entry with
 * every chunk it imports statically, since that is what the browser loads
 * and evaluates before the entry runs. Chunks loaded with `import()` are
 * counted apart, as lazy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix, relative } from 'node:path'
import type { BundleEntry } from '../results.ts'

// `import … from "x"`, `import "x"`, `export … from "x"` at the start of a statement; not `import("x")`.
const STATIC_IMPORT = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[^;"'()`]*?\bfrom\s*)?["']([^"']+)["']/g
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g

/** The module specifiers `source` imports statically and dynamically, in order of appearance. */
export function importsOf (source: string): { static: string[], dynamic: string[] } {
  return {
    static: [...source.matchAll(STATIC_IMPORT)].map(m => m[1]!),
    dynamic: [...source.matchAll(DYNAMIC_IMPORT)].map(m => m[1]!)
  }
}

/** The script an HTML page loads as its module entry (`<script type="module" src>`), as a path from dist's root. */
export function pageScript (html: string): string | undefined {
  const src = /<script\b[^>]*\bsrc="([^"]+)"/.exec(html)?.[1]
  return src?.replace(/^\//, '')
}

/** Files (relative to `root`) that `entry` loads before it runs, following static imports; and the lazy ones after. */
export function staticGraph (root: string, entry: string): { eager: string[], lazy: string[] } {
  const eager = new Set<string>()
  const lazy = new Set<string>()
  const visit = (file: string, into: Set<string>): void => {
    if (eager.has(file) || into.has(file)) return
    into.add(file)
    const { static: deps, dynamic } = importsOf(readFileSync(join(root, file), 'utf8'))
    const resolve = (spec: string): string | undefined => {
      if (!spec.startsWith('.') && !spec.startsWith('/')) return undefined
      return spec.startsWith('/') ? spec.slice(1) : posix.normalize(posix.join(posix.dirname(file), spec))
    }
    for (const dep of deps.map(resolve)) if (dep != null && existsSync(join(root, dep))) visit(dep, into)
    for (const dep of dynamic.map(resolve)) if (dep != null && existsSync(join(root, dep))) visit(dep, lazy)
  }
  visit(entry, eager)
  for (const file of eager) lazy.delete(file)
  return { eager: [...eager], lazy: [...lazy] }
}

const sizeOf = (root: string, file: string): number => statSync(join(root, file)).size

/** Every entry of the Chrome build with its bytes: the worker, the offscreen document, popup, options and the site scripts. */
export function bundleSizes (root: string): BundleEntry[] {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { background?: { service_worker?: string } }
  const entries: Array<[string, string | undefined]> = [
    ['service worker', manifest.background?.service_worker ?? 'service-worker.js'],
    ['offscreen document', pageScript(readFileSync(join(root, 'offscreen/offscreen.html'), 'utf8'))],
    ['popup', pageScript(readFileSync(join(root, 'popup/popup.html'), 'utf8'))],
    ['options', pageScript(readFileSync(join(root, 'options/options.html'), 'utf8'))],
    ['site bridge (content script)', 'site/bridge.js'],
    ['site page script', 'site/page.js']
  ]
  const out: BundleEntry[] = []
  for (const [name, entry] of entries) {
    if (entry == null || !existsSync(join(root, entry))) continue
    const { eager, lazy } = staticGraph(root, entry)
    const files = eager.map(file => ({ file, bytes: sizeOf(root, file) }))
    out.push({ name, bytes: files.reduce((sum, f) => sum + f.bytes, 0), files })
    if (lazy.length > 0) {
      const lazyFiles = lazy.map(file => ({ file, bytes: sizeOf(root, file) }))
      out.push({ name: `${name}, loaded lazily`, bytes: lazyFiles.reduce((sum, f) => sum + f.bytes, 0), files: lazyFiles })
    }
  }
  return out
}

/** The printed table: one line per entry, its largest files after it. */
export function formatBundle (entries: BundleEntry[], root: string): string[] {
  const lines: string[] = []
  for (const e of entries) {
    lines.push(`  ${e.name.padEnd(40)} ${(e.bytes / 1000).toFixed(1).padStart(8)} kB  (${e.files.length} file${e.files.length === 1 ? '' : 's'})`)
    const largest = [...e.files].sort((a, b) => b.bytes - a.bytes).slice(0, 3)
    for (const f of largest) lines.push(`      ${relative(root, join(root, f.file)).padEnd(44)} ${(f.bytes / 1000).toFixed(1).padStart(8)} kB`)
  }
  return lines
}

/** dist/chrome beside this directory. */
export const DIST_CHROME = join(dirname(new URL(import.meta.url).pathname), '../../dist/chrome')
