import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vite'

const root = import.meta.dirname
const outDir = resolve(root, 'dist/chrome')

/** Copies the manifest and locales next to the built pages. */
function extensionFiles (): Plugin {
  return {
    name: 'peerlink-extension-files',
    writeBundle () {
      const manifest = JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8'))
      writeFileSync(resolve(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2))
      cpSync(resolve(root, '_locales'), resolve(outDir, '_locales'), { recursive: true })
      copyFileSync(resolve(root, 'LICENSE'), resolve(outDir, 'LICENSE'))
    }
  }
}

export default defineConfig({
  root: resolve(root, 'src'),
  base: '/',
  publicDir: false,
  plugins: [extensionFiles()],
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
        'service-worker': resolve(root, 'src/background/service-worker.ts'),
        offscreen: resolve(root, 'src/offscreen/offscreen.html'),
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
})
