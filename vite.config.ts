import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { build, defineConfig, type Plugin, type UserConfig } from 'vite'
import { firefoxManifest } from './scripts/firefox-manifest.ts'

const root = import.meta.dirname

/**
 * One source tree, two builds: `vite build` makes `dist/chrome` (service
 * worker + offscreen document), `vite build --mode firefox` makes
 * `dist/firefox` (one persistent background page running both halves).
 * `vite build --mode example` makes `dist/examples/extension`, the example
 * client extension (one directory for both browsers).
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

/** The content scripts an allowed site gets (see src/api/allowed-site.ts for where they land). */
const siteScripts = {
  bridge: resolve(root, 'src/site/bridge.ts'),
  page: resolve(root, 'src/site/page.ts')
}

/**
 * Builds each content script as one self-contained classic script (IIFE):
 * content scripts cannot be ES modules, so they cannot share chunks with
 * the pages either.
 */
async function buildSiteScripts (outDir: string): Promise<void> {
  for (const [name, entry] of Object.entries(siteScripts)) {
    await build({
      configFile: false,
      logLevel: 'warn',
      // Library mode leaves process.env.NODE_ENV alone; nothing in a page defines it.
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir: resolve(outDir, 'site'),
        emptyOutDir: false,
        target: 'es2022',
        minify: false,
        sourcemap: false,
        lib: { entry, formats: ['iife'], name: `peerlink_${name}`, fileName: () => `${name}.js` }
      }
    })
  }
}

/** Writes the target's manifest (its version from package.json), copies the locales and icons next to the built pages and builds the content scripts. */
function extensionFiles (outDir: string, target: keyof typeof targets): Plugin {
  return {
    name: 'peerlink-extension-files',
    async writeBundle () {
      const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }
      const manifest = targets[target].manifest({ ...JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8')), version })
      writeFileSync(resolve(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2))
      cpSync(resolve(root, '_locales'), resolve(outDir, '_locales'), { recursive: true })
      cpSync(resolve(root, 'icons'), resolve(outDir, 'icons'), { recursive: true, filter: source => !source.endsWith('.svg') })
      copyFileSync(resolve(root, 'LICENSE'), resolve(outDir, 'LICENSE'))
      await buildSiteScripts(outDir)
    }
  }
}

/** The example client extension: its chat page with the client library bundled in, and its manifest. */
function exampleExtension (): UserConfig {
  const exampleRoot = resolve(root, 'examples/extension')
  const outDir = resolve(root, 'dist/examples/extension')
  return {
    root: exampleRoot,
    base: '/',
    publicDir: false,
    plugins: [{
      name: 'peerlink-example-files',
      writeBundle () { copyFileSync(resolve(exampleRoot, 'manifest.json'), resolve(outDir, 'manifest.json')) }
    }],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: false,
      minify: false,
      rollupOptions: { input: { chat: resolve(exampleRoot, 'chat.html') } }
    }
  }
}

export default defineConfig(({ mode }) => {
  if (mode === 'example') return exampleExtension()
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
          popup: resolve(root, 'src/popup/popup.html'),
          welcome: resolve(root, 'src/welcome/welcome.html')
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
