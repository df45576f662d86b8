/** The little of `storage.local` the worker needs; an in-memory one stands in for it in unit tests. */
export interface KeyValueStore {
  get: <T>(key: string) => Promise<T | undefined>
  set: (key: string, value: unknown) => Promise<void>
}

/** A `KeyValueStore` kept in memory, for tests. */
export function makeMemoryStorage (): KeyValueStore {
  const data = new Map<string, unknown>()
  return {
    get: async <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    set: async (key, value) => { data.set(key, structuredClone(value)) }
  }
}

/** A `KeyValueStore` in memory whose writes take a while, as `storage.local`'s do, so changes can interleave (tests). */
export function makeSlowStorage (writeMs = 5): KeyValueStore & { inner: KeyValueStore } {
  const inner = makeMemoryStorage()
  return { inner, get: inner.get, set: async (key, value) => { await new Promise(resolve => setTimeout(resolve, writeMs)); await inner.set(key, value) } }
}
