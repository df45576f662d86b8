import browser from 'webextension-polyfill'
import type { KeyValueStore } from './profile/index.ts'

/** `browser.storage.local`, which survives worker restarts and browser restarts. */
export function makeExtensionStorage (): KeyValueStore {
  return {
    get: async <T>(key: string) => (await browser.storage.local.get(key))[key] as T | undefined,
    set: async (key, value) => { await browser.storage.local.set({ [key]: value }) },
    // storage.local cannot select by prefix: this reads it all, which the worker does once per start.
    entries: async <T>(prefix: string) => Object.entries(await browser.storage.local.get(null)).filter(([key]) => key.startsWith(prefix)) as Array<[string, T]>,
    setMany: async (values) => { await browser.storage.local.set(values) },
    remove: async (keys) => { await browser.storage.local.remove(keys) }
  }
}
