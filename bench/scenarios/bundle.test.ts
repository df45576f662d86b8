import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundleSizes, importsOf, pageScript, staticGraph } from './bundle.ts'

describe('importsOf', () => {
  it('finds static imports and re-exports, and dynamic imports apart', () => {
    const source = [
      'import { r as __toESM } from "./assets/rolldown-runtime.js";',
      'import {',
      '  a as b,',
      '  c } from "./assets/payload.js";',
      'import "./assets/side-effect.js";',
      'export { x } from "./assets/re.js";',
      'const lazy = () => import("./assets/lazy.js");',
      'const s = "import is a word";'
    ].join('\n')
    expect(importsOf(source)).toEqual({ static: ['./assets/rolldown-runtime.js', './assets/payload.js', './assets/side-effect.js', './assets/re.js'], dynamic: ['./assets/lazy.js'] })
  })

  it('reads minified imports too', () => {
    expect(importsOf('import{a as b}from"./x.js";import"./y.js";').static).toEqual(['./x.js', './y.js'])
  })

  it('finds a page\'s module script', () => {
    expect(pageScript('<script type="module" crossorigin src="/assets/popup-1.js"></script>')).toBe('assets/popup-1.js')
  })
})

describe('staticGraph and bundleSizes', () => {
  it('follows static imports once each, relative to each file, and counts lazy chunks apart', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-bundle-'))
    mkdirSync(join(root, 'assets'))
    for (const page of ['offscreen', 'popup', 'options']) {
      mkdirSync(join(root, page))
      writeFileSync(join(root, page, `${page}.html`), `<script type="module" src="/assets/${page}.js"></script>`)
      writeFileSync(join(root, 'assets', `${page}.js`), 'import "./shared.js";')
    }
    writeFileSync(join(root, 'manifest.json'), JSON.stringify({ background: { service_worker: 'service-worker.js' } }))
    writeFileSync(join(root, 'service-worker.js'), 'import { a } from "./assets/a.js";\nimport "./assets/shared.js";')
    writeFileSync(join(root, 'assets/a.js'), 'import { s } from "./shared.js";\nconst l = () => import("./lazy.js");')
    writeFileSync(join(root, 'assets/shared.js'), 'export const s = 1;'.padEnd(1_000))
    writeFileSync(join(root, 'assets/lazy.js'), 'export const l = 1;'.padEnd(500))
    expect(staticGraph(root, 'service-worker.js')).toEqual({ eager: ['service-worker.js', 'assets/a.js', 'assets/shared.js'], lazy: ['assets/lazy.js'] })
    const sizes = bundleSizes(root)
    const worker = sizes.find(s => s.name === 'service worker')!
    expect(worker.files.map(f => f.file)).toEqual(['service-worker.js', 'assets/a.js', 'assets/shared.js'])
    expect(worker.bytes).toBe(worker.files.reduce((sum, f) => sum + f.bytes, 0))
    expect(sizes.find(s => s.name === 'service worker, loaded lazily')?.bytes).toBe(500)
    expect(sizes.find(s => s.name === 'popup')?.files).toHaveLength(2)
  })
})
