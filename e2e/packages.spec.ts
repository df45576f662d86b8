/**
 * The store packages, as a store would get them: `npm run package`'s two
 * zips, unzipped and loaded, each in its browser, and Peerlink runs from them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { expect, test } from '@playwright/test'
import JSZip from 'jszip'
import { makePackages } from '../scripts/package.ts'
import { ICON_SIZES } from '../scripts/icons.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

/** Unzips `zip` into a new folder; answers it and the names the zip held. */
async function unzip (zip: string): Promise<{ dir: string, names: string[] }> {
  const archive = await JSZip.loadAsync(readFileSync(zip))
  const dir = mkdtempSync(join(tmpdir(), `${basename(zip, '.zip')}-`))
  const names = Object.keys(archive.files).filter(name => !archive.files[name]!.dir)
  for (const name of names) {
    mkdirSync(join(dir, dirname(name)), { recursive: true })
    writeFileSync(join(dir, name), await archive.files[name]!.async('uint8array'))
  }
  return { dir, names }
}

/** A PNG's width and height, from its IHDR. */
function pngSize (bytes: Uint8Array): [number, number] {
  const view = Buffer.from(bytes)
  return [view.readUInt32BE(16), view.readUInt32BE(20)]
}

test('npm run package: both zips carry the version and every icon, and each loads and runs in its browser', async () => {
  test.setTimeout(120_000)
  const out = mkdtempSync(join(tmpdir(), 'peerlink-packages-'))
  const made = makePackages(out)
  expect([basename(made.chrome), basename(made.firefox)]).toEqual([`peerlink-chrome-${version}.zip`, `peerlink-firefox-${version}.zip`])
  const chrome = await unzip(made.chrome)
  const firefox = await unzip(made.firefox)
  try {
    for (const { dir, names } of [chrome, firefox]) {
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string, icons: Record<string, string> }
      expect(manifest.version).toBe(version)
      expect(Object.keys(manifest.icons).map(Number)).toEqual([...ICON_SIZES])
      for (const [size, path] of Object.entries(manifest.icons)) {
        expect(names).toContain(path)
        expect(pngSize(readFileSync(join(dir, path)))).toEqual([Number(size), Number(size)])
      }
      // What a store reviews: no source maps, no tests, nothing of the repository but the build.
      expect(names.filter(n => n.endsWith('.map') || n.includes('.test.') || n.startsWith('src/'))).toEqual([])
    }

    const inChromium = await ExtensionProfile.launch({ name: 'packaged', extensionDir: chrome.dir })
    try {
      const status = await inChromium.waitForStatus(s => s.node === 'running', 'the node, from the Chrome package')
      expect(status.peerId).toMatch(/^12D3KooW/)
    } finally {
      await inChromium.close()
    }
    const inFirefox = await FirefoxProfile.launch({ name: 'packaged', extensionDir: firefox.dir })
    try {
      const status = await inFirefox.waitForStatus(s => s.node === 'running', 'the node, from the Firefox package')
      expect(status.peerId).toMatch(/^12D3KooW/)
    } finally {
      await inFirefox.close()
    }
  } finally {
    for (const dir of [out, chrome.dir, firefox.dir]) rmSync(dir, { recursive: true, force: true })
  }
})
