import type { KeyValueStore } from './key-value-store.ts'

const STORE_NAMES_KEY = 'store.names'
/** The database of versions before conversations were kept per identity. */
const FIRST_STORE_NAME = 'peerlink'

/**
 * The IndexedDB database that holds one identity's conversations. Each
 * identity has its own, so importing a key never reuses another identity's
 * sequence state; the database an install used before that keeps serving
 * the identity it had.
 */
export async function storeNameFor (storage: KeyValueStore, peerId: string): Promise<string> {
  const names = await storage.get<Record<string, string>>(STORE_NAMES_KEY) ?? {}
  const known = names[peerId]
  if (known != null) return known
  const first = Object.keys(names).length === 0 && (await indexedDB.databases()).some(db => db.name === FIRST_STORE_NAME)
  const name = first ? FIRST_STORE_NAME : `${FIRST_STORE_NAME}-${peerId}`
  await storage.set(STORE_NAMES_KEY, { ...names, [peerId]: name })
  return name
}
