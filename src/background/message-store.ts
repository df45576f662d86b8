import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { MessageView } from '../api/protocol.ts'
import { ResourceLimitError, type SerializedError } from '../common/errors/index.ts'

/**
 * Per-peer sequence state and outbox accounting, updated in the same
 * transaction as the messages it counts, so the counts are exact.
 */
interface PeerLedger {
  peerId: string
  /** Sequence number the next outgoing message gets; starts at 0. */
  nextOutSeq: number
  /** Sequence number expected next from the peer; lower ones are duplicates. */
  nextInSeq: number
  /** Every outgoing message up to here was acknowledged; -1 when none was. */
  ackedOutSeq: number
  /** Outgoing messages neither acknowledged nor failed, and their bytes. */
  pendingCount: number
  pendingBytes: number
}

/** A stored message: what the pages see, plus what only the worker needs. */
export interface StoredMessage extends MessageView {
  /** When an outgoing message expires; absent on incoming ones. */
  expiresAt?: number
}

interface PeerlinkDB extends DBSchema {
  messages: {
    key: string
    value: StoredMessage
    indexes: { byPeerAt: [string, number, string, number], byPeerDirSeq: [string, string, number] }
  }
  ledgers: { key: string, value: PeerLedger }
}

export interface OutboxLimits {
  maxPendingMessages: number
  maxPendingBytes: number
}

const freshLedger = (peerId: string): PeerLedger => ({ peerId, nextOutSeq: 0, nextInSeq: 0, ackedOutSeq: -1, pendingCount: 0, pendingBytes: 0 })
const isPending = (m: StoredMessage): boolean => m.direction === 'out' && (m.state === 'queued' || m.state === 'sent')

/** Conversations, outbox and inbox in IndexedDB: the durable half of messaging. */
export class MessageStore {
  readonly #db: IDBPDatabase<PeerlinkDB>

  private constructor (db: IDBPDatabase<PeerlinkDB>) {
    this.#db = db
  }

  static async open (name = 'peerlink'): Promise<MessageStore> {
    const db = await openDB<PeerlinkDB>(name, 1, {
      upgrade (db) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' })
        // Messages of the same millisecond keep their sequence order.
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerDirSeq', ['peerId', 'direction', 'seq'])
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
      }
    })
    return new MessageStore(db)
  }

  close (): void {
    this.#db.close()
  }

  /**
   * Queues an outgoing message with the peer's next sequence number. A
   * message whose `id` is already stored is answered as it is, so a caller
   * may safely repeat a send whose answer it lost. Over a limit it throws
   * `ResourceLimitError` and changes nothing.
   */
  async appendOutgoing (input: { id: string, peerId: string, text: string, bytes: number, at: number, expiresAt: number }, limits: OutboxLimits): Promise<{ message: StoredMessage, created: boolean }> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite')
    const existing = await tx.objectStore('messages').get(input.id)
    if (existing != null) {
      await tx.done
      return { message: existing, created: false }
    }
    const ledger = await tx.objectStore('ledgers').get(input.peerId) ?? freshLedger(input.peerId)
    if (ledger.pendingCount + 1 > limits.maxPendingMessages) {
      tx.abort()
      await tx.done.catch(() => {})
      throw new ResourceLimitError('pending-messages', limits.maxPendingMessages, ledger.pendingCount + 1)
    }
    if (ledger.pendingBytes + input.bytes > limits.maxPendingBytes) {
      tx.abort()
      await tx.done.catch(() => {})
      throw new ResourceLimitError('pending-bytes', limits.maxPendingBytes, ledger.pendingBytes + input.bytes)
    }
    const message: StoredMessage = { ...input, direction: 'out', seq: ledger.nextOutSeq, state: 'queued' }
    ledger.nextOutSeq += 1
    ledger.pendingCount += 1
    ledger.pendingBytes += input.bytes
    await Promise.all([tx.objectStore('ledgers').put(ledger), tx.objectStore('messages').put(message), tx.done])
    return { message, created: true }
  }

  /**
   * Stores incoming messages in sequence order: duplicates (below the next
   * expected number) are dropped, and so is everything from the first gap on,
   * since the sender resends from the ack point. Answers what was stored and
   * the cumulative sequence number to acknowledge (-1: none yet).
   */
  async storeIncoming (peerId: string, incoming: Array<{ seq: number, text: string, bytes: number }>, at = Date.now()): Promise<{ stored: StoredMessage[], ackSeq: number }> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite')
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    const stored: StoredMessage[] = []
    for (const { seq, text, bytes } of incoming) {
      if (seq < ledger.nextInSeq) continue
      if (seq > ledger.nextInSeq) break
      const message: StoredMessage = { id: crypto.randomUUID(), peerId, direction: 'in', seq, text, bytes, at, state: 'received' }
      stored.push(message)
      ledger.nextInSeq += 1
      void tx.objectStore('messages').put(message)
    }
    if (stored.length > 0) void tx.objectStore('ledgers').put(ledger)
    await tx.done
    return { stored, ackSeq: ledger.nextInSeq - 1 }
  }

  /** The sequence number expected next from the peer (sent in HELLO). */
  async nextExpected (peerId: string): Promise<number> {
    return (await this.#db.get('ledgers', peerId))?.nextInSeq ?? 0
  }

  /** Marks every outgoing message up to `seq` delivered (acks are cumulative); answers those that changed. */
  async acknowledge (peerId: string, seq: number): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite')
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    if (seq <= ledger.ackedOutSeq || seq >= ledger.nextOutSeq) {
      await tx.done
      return []
    }
    const range = IDBKeyRange.bound([peerId, 'out', ledger.ackedOutSeq + 1], [peerId, 'out', seq])
    const changed: StoredMessage[] = []
    for await (const cursor of tx.objectStore('messages').index('byPeerDirSeq').iterate(range)) {
      const message = cursor.value
      // A message that already failed (expired, say) stays failed but no longer counts as pending.
      if (!isPending(message)) continue
      ledger.pendingCount -= 1
      ledger.pendingBytes -= message.bytes
      const updated: StoredMessage = { ...message, state: 'delivered' }
      await cursor.update(updated)
      changed.push(updated)
    }
    ledger.ackedOutSeq = seq
    await tx.objectStore('ledgers').put(ledger)
    await tx.done
    return changed
  }

  /** Outgoing messages still pending for a peer, in sequence order, from `fromSeq` on. */
  async pending (peerId: string, fromSeq = 0, maxBytes = Infinity): Promise<StoredMessage[]> {
    const range = IDBKeyRange.bound([peerId, 'out', fromSeq], [peerId, 'out', Infinity])
    const out: StoredMessage[] = []
    let bytes = 0
    let cursor = await this.#db.transaction('messages').store.index('byPeerDirSeq').openCursor(range)
    while (cursor != null) {
      if (isPending(cursor.value)) {
        if (out.length > 0 && bytes + cursor.value.bytes > maxBytes) break
        out.push(cursor.value)
        bytes += cursor.value.bytes
      }
      cursor = await cursor.continue()
    }
    return out
  }

  /** Marks queued messages as written to a stream. */
  async markSent (ids: string[]): Promise<StoredMessage[]> {
    const tx = this.#db.transaction('messages', 'readwrite')
    const changed: StoredMessage[] = []
    for (const id of ids) {
      const message = await tx.store.get(id)
      if (message?.state !== 'queued') continue
      const updated: StoredMessage = { ...message, state: 'sent' }
      void tx.store.put(updated)
      changed.push(updated)
    }
    await tx.done
    return changed
  }

  /** Fails pending outgoing messages of a peer (all, or those `which` selects), releasing their share of the limits. */
  async failPending (peerId: string, errorFor: (m: StoredMessage) => SerializedError, which: (m: StoredMessage) => boolean = () => true): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite')
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    const range = IDBKeyRange.bound([peerId, 'out', ledger.ackedOutSeq + 1], [peerId, 'out', Infinity])
    const changed: StoredMessage[] = []
    for await (const cursor of tx.objectStore('messages').index('byPeerDirSeq').iterate(range)) {
      if (!isPending(cursor.value) || !which(cursor.value)) continue
      ledger.pendingCount -= 1
      ledger.pendingBytes -= cursor.value.bytes
      const updated: StoredMessage = { ...cursor.value, state: 'failed', error: errorFor(cursor.value) }
      await cursor.update(updated)
      changed.push(updated)
    }
    if (changed.length > 0) await tx.objectStore('ledgers').put(ledger)
    await tx.done
    return changed
  }

  /** Peers with pending outgoing messages, and how many and how large. */
  async pendingByPeer (): Promise<Map<string, { messages: number, bytes: number }>> {
    const out = new Map<string, { messages: number, bytes: number }>()
    for (const ledger of await this.#db.getAll('ledgers')) {
      if (ledger.pendingCount > 0) out.set(ledger.peerId, { messages: ledger.pendingCount, bytes: ledger.pendingBytes })
    }
    return out
  }

  async get (id: string): Promise<StoredMessage | undefined> {
    return await this.#db.get('messages', id)
  }

  /** The newest `limit` messages of a conversation, oldest first. */
  async list (peerId: string, limit: number): Promise<StoredMessage[]> {
    const range = IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
    const out: StoredMessage[] = []
    let cursor = await this.#db.transaction('messages').store.index('byPeerAt').openCursor(range, 'prev')
    while (cursor != null && out.length < limit) {
      out.push(cursor.value)
      cursor = await cursor.continue()
    }
    return out.reverse()
  }
}
