/**
 * `npm run icons`: draws icons/peerlink.svg as the PNGs the manifest and the
 * stores ask for (icons/icon-<size>.png), in headless Chromium. The PNGs are
 * committed: the build copies them, so building needs no browser for them.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from '@playwright/test'
import { findChromium } from './browsers.mjs'

/** Every size the manifest, the toolbar and the two stores use. */
export const ICON_SIZES = [16, 32, 48, 96, 128] as const

/** Where the PNG of `size` is kept, relative to the repository. */
export const iconPath = (size: number): string => `icons/icon-${size}.png`

const root = resolve(import.meta.dirname, '..')

/** Draws every size from the SVG. */
export async function drawIcons (): Promise<void> {
  const svg = readFileSync(resolve(root, 'icons/peerlink.svg'), 'utf8')
  const browser = await chromium.launch({ executablePath: await findChromium(), headless: true })
  try {
    for (const size of ICON_SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 })
      await page.setContent(`<html><body style="margin:0;background:transparent"><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></body></html>`)
      await page.screenshot({ path: resolve(root, iconPath(size)), omitBackground: true })
      await page.close()
    }
  } finally {
    await browser.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await drawIcons()
  console.log(`wrote ${ICON_SIZES.map(iconPath).join(', ')}`)
}
