import browser from 'webextension-polyfill'
import type { KeyValueStore } from './key-value-store.ts'

/** `browser.storage.local`, which survives worker restarts and browser restarts. */
export function makeExtensionStorage (): KeyValueStore {
  return {
    get: async <T>(key: string) => (await browser.storage.local.get(key))[key] as T | undefined,
    set: async (key, value) => { await browser.storage.local.set({ [key]: value }) }
  }
}
