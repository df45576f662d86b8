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

/** CPU per 1 KiB message (milliseconds, the whole browser) of storing it, and of removing it later. */
export interface RecordLayoutCost {
  /** One record per message with the four indexes of `message-db.ts`, a strict transaction per burst of 50. */
  recordPerMessageMs: number
  /** One record per burst of 50 (the messages in an array), strict. */
  recordPerBurstMs: number
  /**
   * The same, findable as exactly as a record each: every message's key and
   * its sender's id in multi-entry indexes, the burst by time and by channel.
   */
  recordPerBurstExactMs: number
  /** Removing such burst records, oldest first, as the history bound would. */
  removeBurstMs: number
  /** Removing the oldest one-record-per-message messages, 100 per transaction, as the history bound prunes. */
  removeMs: number
  /** CPU seconds per MB of 64 KiB messages, a record each, stored (strict, 16 a transaction) and later removed. */
  largeSecondsPerMB: number
}

/** 64 KiB messages stored and removed for the per-MB figure: 5 MiB, a multiple of the 16 a transaction. */
const LARGE_MESSAGES = 80

/**
 * What IndexedDB itself costs per message in this browser, apart from
 * everything else Peerlink does: the floor under the durable messages per
 * second figure while each message is a record of its own.
 */
export async function recordLayoutCost (page: Page, cpuSeconds: () => number, messages = 5_000): Promise<RecordLayoutCost> {
  const step = async (what: 'setup' | 'perMessage' | 'perBurst' | 'perBurstExact' | 'remove' | 'removeBurst' | 'large' | 'teardown'): Promise<number> => {
    const before = cpuSeconds()
    await page.evaluate(async ({ what, messages, largeMessages }) => {
      const name = 'peerlink-bench-layout'
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name, 1)
        open.onupgradeneeded = () => {
          const store = open.result.createObjectStore('messages', { keyPath: ['channel', 'id'] })
          store.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
          store.createIndex('byWireId', ['peerId', 'wireIncarnation', 'channel', 'wireId'])
          store.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
          store.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
          open.result.createObjectStore('bursts', { keyPath: 'id' })
          const exact = open.result.createObjectStore('exact', { keyPath: ['peerId', 'direction', 'first'] })
          exact.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'first'])
          exact.createIndex('byKey', 'keys', { multiEntry: true })
          exact.createIndex('byWireId', 'wires', { multiEntry: true })
          exact.createIndex('byPeerChannelAt', 'channels', { multiEntry: true })
        }
        open.onsuccess = () => { resolve(open.result) }
        open.onerror = () => { reject(open.error) }
      })
      const done = async (tx: IDBTransaction): Promise<void> => { await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } }) }
      const text = 'x'.repeat(1024)
      const message = (seq: number, body = text): object => ({ id: crypto.randomUUID(), wireId: crypto.randomUUID(), wireIncarnation: 'I', peerId: 'P', direction: 'in', seq, at: Date.now(), channel: '~', kind: 'text', text: body, bytes: body.length, state: 'received' })
      if (what === 'large') {
        // As many bytes as the small messages, in 64 KiB messages: stored, then removed.
        const large = 'y'.repeat(64 * 1024)
        const ids: string[] = []
        for (let seq = 0; seq < largeMessages; seq += 16) {
          const tx = db.transaction('messages', 'readwrite', { durability: 'strict' })
          for (let i = 0; i < 16; i++) {
            const m = message(seq + i, large) as { id: string }
            ids.push(m.id)
            tx.objectStore('messages').put(m)
          }
          await done(tx)
        }
        const tx = db.transaction('messages', 'readwrite', { durability: 'relaxed' })
        for (const id of ids) tx.objectStore('messages').delete(['~', id])
        await done(tx)
      } else if (what === 'perMessage') {
        for (let seq = 0; seq < messages; seq += 50) {
          const tx = db.transaction('messages', 'readwrite', { durability: 'strict' })
          for (let i = 0; i < 50; i++) tx.objectStore('messages').put(message(seq + i))
          await done(tx)
        }
      } else if (what === 'perBurst') {
        for (let seq = 0; seq < messages; seq += 50) {
          const tx = db.transaction('bursts', 'readwrite', { durability: 'strict' })
          tx.objectStore('bursts').put({ id: crypto.randomUUID(), peerId: 'P', seq, messages: Array.from({ length: 50 }, (_, i) => message(seq + i)) })
          await done(tx)
        }
      } else if (what === 'perBurstExact') {
        for (let seq = 0; seq < messages; seq += 50) {
          const tx = db.transaction('exact', 'readwrite', { durability: 'strict' })
          const burst = Array.from({ length: 50 }, (_, i) => message(seq + i) as { id: string, wireId: string, channel: string, at: number })
          const at = burst[0]!.at
          tx.objectStore('exact').put({
            peerId: 'P',
            direction: 'in',
            first: seq,
            at,
            messages: burst,
            keys: burst.map(m => [m.channel, m.id]),
            wires: burst.map(m => ['P', 'I', m.channel, m.wireId]),
            channels: [['P', '~', at, 'in', seq]]
          })
          await done(tx)
        }
      } else if (what === 'removeBurst') {
        // Two bursts of 50 a transaction, the oldest first; tombstones are a fiftieth of a record each's.
        for (let removed = 0; removed < messages; removed += 100) {
          const tx = db.transaction('exact', 'readwrite', { durability: 'relaxed' })
          const store = tx.objectStore('exact')
          const request = store.index('byPeerAt').getAllKeys(IDBKeyRange.bound(['P', -Infinity], ['P', Infinity, [], []]), 2)
          request.onsuccess = () => { for (const key of request.result) store.delete(key) }
          await done(tx)
        }
      } else if (what === 'remove') {
        let after: IDBValidKey | undefined
        for (let removed = 0; removed < messages; removed += 100) {
          const tx = db.transaction('messages', 'readwrite', { durability: 'relaxed' })
          const store = tx.objectStore('messages')
          const range = IDBKeyRange.bound(after ?? ['P', -Infinity], ['P', Infinity, [], []], after != null, false)
          const request = store.index('byPeerAt').getAll(range, 100)
          request.onsuccess = () => {
            for (const m of request.result as Array<{ id: string, at: number, direction: string, seq: number }>) store.delete(['~', m.id])
            const last = request.result.at(-1) as { at: number, direction: string, seq: number } | undefined
            if (last != null) after = ['P', last.at, last.direction, last.seq]
          }
          await done(tx)
        }
      }
      db.close()
      if (what === 'teardown') await new Promise(resolve => { indexedDB.deleteDatabase(name).onsuccess = resolve })
    }, { what, messages, largeMessages: LARGE_MESSAGES })
    return (cpuSeconds() - before) * 1000 / messages
  }
  await step('setup')
  const recordPerMessageMs = await step('perMessage')
  const recordPerBurstMs = await step('perBurst')
  const removeMs = await step('remove')
  const recordPerBurstExactMs = await step('perBurstExact')
  const removeBurstMs = await step('removeBurst')
  // `step` answers per 1 KiB message: the same bytes in 64 KiB messages, per MB.
  const largeSecondsPerMB = await step('large') / 1000 * messages / (LARGE_MESSAGES * 64 * 1024 / 1e6)
  await step('teardown')
  return { recordPerMessageMs, recordPerBurstMs, recordPerBurstExactMs, removeMs, removeBurstMs, largeSecondsPerMB }
}
