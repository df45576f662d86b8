// Finds a Firefox to drive: $PEERLINK_FIREFOX, the system's (Debian's firefox-esr), or one downloaded into .cache/browsers.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const SYSTEM_CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox']

/** Where `npm test` puts a Firefox it downloads on machines without a system one. */
export const FIREFOX_CACHE_DIR = resolve(import.meta.dirname, '../.cache/browsers')

/** @returns {Promise<string | undefined>} the path of a Firefox executable, if there is one */
export async function findFirefox () {
  const fromEnv = process.env.PEERLINK_FIREFOX
  if (fromEnv != null && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined
  const system = SYSTEM_CANDIDATES.find(path => existsSync(path))
  if (system != null) return system
  try {
    const { Browser, getInstalledBrowsers } = await import('@puppeteer/browsers')
    const own = (await getInstalledBrowsers({ cacheDir: FIREFOX_CACHE_DIR })).find(b => b.browser === Browser.FIREFOX)
    return own != null && existsSync(own.executablePath) ? own.executablePath : undefined
  } catch {
    return undefined
  }
}
