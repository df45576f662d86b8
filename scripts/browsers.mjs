// Finds the browsers to drive: an override from the environment, the system's, or one downloaded by `npm test`.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** Where `npm test` puts a Firefox it downloads on machines without a system one. */
export const FIREFOX_CACHE_DIR = resolve(import.meta.dirname, '../.cache/browsers')

/**
 * @param {string} envVar a variable that names the executable (and then nothing else is tried)
 * @param {string[]} candidates system paths, in order of preference
 * @param {() => Promise<string | undefined>} downloaded where a downloaded copy would be
 * @returns {Promise<string | undefined>}
 */
async function findBrowser (envVar, candidates, downloaded) {
  const fromEnv = process.env[envVar]
  if (fromEnv != null && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined
  const system = candidates.find(path => existsSync(path))
  if (system != null) return system
  const own = await downloaded().catch(() => undefined)
  return own != null && existsSync(own) ? own : undefined
}

/** @returns {Promise<string | undefined>} $PEERLINK_CHROMIUM, the system's Chromium, or Playwright's own */
export async function findChromium () {
  return await findBrowser('PEERLINK_CHROMIUM', ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'],
    async () => (await import('playwright-core')).chromium.executablePath())
}

/** @returns {Promise<string | undefined>} $PEERLINK_FIREFOX, the system's Firefox (Debian's firefox-esr), or one in .cache/browsers */
export async function findFirefox () {
  return await findBrowser('PEERLINK_FIREFOX', ['/usr/bin/firefox-esr', '/usr/bin/firefox'], async () => {
    const { Browser, getInstalledBrowsers } = await import('@puppeteer/browsers')
    return (await getInstalledBrowsers({ cacheDir: FIREFOX_CACHE_DIR })).find(b => b.browser === Browser.FIREFOX)?.executablePath
  })
}
