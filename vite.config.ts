import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import { firefoxManifest } from './scripts/firefox-manifest.ts'

const root = import.meta.dirname

/**
 * One source tree, two builds: `vite build` makes `dist/chrome` (service
 * worker + offscreen document), `vite build --mode firefox` makes
 * `dist/firefox` (one persistent background page running both halves).
 */
const targets = {
  chrome: {
    background: {
      'service-worker': resolve(root, 'src/background/service-worker.ts'),
      offscreen: resolve(root, 'src/offscreen/offscreen.html')
    },
    manifest: (manifest: Record<string, unknown>) => manifest
  },
  firefox: {
    background: { background: resolve(root, 'src/firefox/background.html') },
    manifest: firefoxManifest
  }
}

/** Writes the target's manifest and copies the locales next to the built pages. */
function extensionFiles (outDir: string, target: keyof typeof targets): Plugin {
  return {
    name: 'peerlink-extension-files',
    writeBundle () {
      const manifest = targets[target].manifest(JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8')))
      writeFileSync(resolve(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2))
      cpSync(resolve(root, '_locales'), resolve(outDir, '_locales'), { recursive: true })
      copyFileSync(resolve(root, 'LICENSE'), resolve(outDir, 'LICENSE'))
    }
  }
}

export default defineConfig(({ mode }) => {
  const target = mode === 'firefox' ? 'firefox' : 'chrome'
  const outDir = resolve(root, 'dist', target)
  return {
    root: resolve(root, 'src'),
    base: '/',
    publicDir: false,
    plugins: [extensionFiles(outDir, target)],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // Service workers may not use dynamic import(), so no preload helper.
      modulePreload: false,
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input: {
          ...targets[target].background,
          options: resolve(root, 'src/options/options.html'),
          popup: resolve(root, 'src/popup/popup.html')
        },
        output: {
          entryFileNames: chunk => chunk.name === 'service-worker' ? 'service-worker.js' : 'assets/[name]-[hash].js',
          chunkFileNames: 'assets/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]'
        }
      }
    }
  }
})
