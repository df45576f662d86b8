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
