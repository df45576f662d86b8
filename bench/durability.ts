import type { Page } from '@playwright/test'

/** Milliseconds per transaction that stores `burst` 1 KiB messages, with each durability. */
export interface DurabilityCost {
  burst: number
  relaxedMs: number
  strictMs: number
}

/**
 * The cost of acknowledging only what is on disk: Peerlink stores received
 * messages with strict durability (the OS flushes before the transaction
 * completes) and its other records relaxed. This times both in the
 * extension's own IndexedDB, one transaction per burst as the inbox does.
 */
export async function durabilityCost (page: Page, bursts: number[], transactions = 100): Promise<DurabilityCost[]> {
  return await page.evaluate(async ({ bursts, transactions }) => {
    const name = 'peerlink-bench-durability'
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name, 1)
      open.onupgradeneeded = () => { open.result.createObjectStore('messages', { keyPath: 'id' }) }
      open.onsuccess = () => { resolve(open.result) }
      open.onerror = () => { reject(open.error) }
    })
    const text = 'x'.repeat(1024)
    const time = async (burst: number, durability: 'relaxed' | 'strict'): Promise<number> => {
      const started = performance.now()
      for (let t = 0; t < transactions; t++) {
        const tx = db.transaction('messages', 'readwrite', { durability })
        for (let i = 0; i < burst; i++) tx.objectStore('messages').put({ id: `${durability}-${burst}-${t}-${i}`, text })
        await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } })
      }
      return (performance.now() - started) / transactions
    }
    const out = []
    for (const burst of bursts) out.push({ burst, relaxedMs: await time(burst, 'relaxed'), strictMs: await time(burst, 'strict') })
    db.close()
    indexedDB.deleteDatabase(name)
    return out
  }, { bursts, transactions })
}
