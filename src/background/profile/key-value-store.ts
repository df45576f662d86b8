/** The little of `storage.local` the worker needs; an in-memory one stands in for it in unit tests. */
export interface KeyValueStore {
  get: <T>(key: string) => Promise<T | undefined>
  set: (key: string, value: unknown) => Promise<void>
  /** Every entry whose key starts with `prefix`. */
  entries: <T>(prefix: string) => Promise<Array<[string, T]>>
  /** Writes several keys at once. */
  setMany: (values: Record<string, unknown>) => Promise<void>
  remove: (keys: string[]) => Promise<void>
}

/** A `KeyValueStore` kept in memory, for tests. */
export function makeMemoryStorage (): KeyValueStore {
  const data = new Map<string, unknown>()
  return {
    get: async <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    set: async (key, value) => { data.set(key, structuredClone(value)) },
    entries: async <T>(prefix: string) => [...data].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key, structuredClone(value) as T]),
    setMany: async (values) => { for (const [key, value] of Object.entries(values)) data.set(key, structuredClone(value)) },
    remove: async (keys) => { for (const key of keys) data.delete(key) }
  }
}

/** A `KeyValueStore` in memory whose writes take a while, as `storage.local`'s do, so changes can interleave (tests). */
export function makeSlowStorage (writeMs = 5): KeyValueStore & { inner: KeyValueStore } {
  const inner = makeMemoryStorage()
  const slowly = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, writeMs)) }
  return {
    ...inner,
    inner,
    set: async (key, value) => { await slowly(); await inner.set(key, value) },
    setMany: async (values) => { await slowly(); await inner.setMany(values) },
    remove: async (keys) => { await slowly(); await inner.remove(keys) }
  }
}
