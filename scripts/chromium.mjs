// Finds a Chromium to drive: $PEERLINK_CHROMIUM, the system's, or Playwright's own download.
import { existsSync } from 'node:fs'

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

/** @returns {Promise<string | undefined>} the path of a Chromium executable, if there is one */
export async function findChromium () {
  const fromEnv = process.env.PEERLINK_CHROMIUM
  if (fromEnv != null && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined
  const system = SYSTEM_CANDIDATES.find(path => existsSync(path))
  if (system != null) return system
  try {
    const { chromium } = await import('playwright-core')
    const own = chromium.executablePath()
    return existsSync(own) ? own : undefined
  } catch {
    return undefined
  }
}
