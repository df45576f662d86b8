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
  /** Bytes of all outgoing messages so far, and of those up to `ackedOutSeq`. */
  totalOutBytes: number
  ackedOutBytes: number
  /** Failed messages after `ackedOutSeq`: an ack moving past them must not count them again. */
  failedAfterAck: Array<{ seq: number, bytes: number }>
}

/**
 * A stored message: what the pages see, plus what only the worker needs.
 * An outgoing message is stored once as 'queued' (or later 'failed'); that
 * it was delivered follows from the peer's cumulative ack, so an ack writes
 * one ledger record however many messages it covers.
 */
export interface StoredMessage extends MessageView {
  /** When an outgoing message expires; absent on incoming ones. */
  expiresAt?: number
  /** Bytes of this peer's outgoing messages up to and including this one. */
  cumulativeBytes?: number
}

interface PeerlinkDB extends DBSchema {
  messages: {
    key: string
    value: StoredMessage
    indexes: { byPeerAt: [string, number, string, number], byPeerDirSeq: [string, string, number] }
  }
  ledgers: { key: string, value: PeerLedger }
}

export interface OutgoingInput {
  id: string
  peerId: string
  text: string
  bytes: number
  at: number
  expiresAt: number
}

export interface OutboxLimits {
  maxPendingMessages: number
  maxPendingBytes: number
}

/**
 * Every write commits with relaxed durability: committed data survives a
 * worker or browser crash (it is in the database); only the wait for the
 * operating system to flush it to disk is skipped, which costs milliseconds
 * per transaction.
 */
const WRITE = { durability: 'relaxed' } as const

const freshLedger = (peerId: string): PeerLedger => ({
  peerId, nextOutSeq: 0, nextInSeq: 0, ackedOutSeq: -1, pendingCount: 0, pendingBytes: 0, totalOutBytes: 0, ackedOutBytes: 0, failedAfterAck: []
})

/** The state a page sees: an outgoing message covered by the peer's ack is delivered. */
function view (message: StoredMessage, ledger: PeerLedger | undefined): StoredMessage {
  if (message.direction === 'out' && message.state === 'queued' && ledger != null && message.seq <= ledger.ackedOutSeq) {
    return { ...message, state: 'delivered' }
  }
  return message
}

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
  async appendOutgoing (input: OutgoingInput, limits: OutboxLimits): Promise<{ message: StoredMessage, created: boolean }> {
    const [result] = await this.appendOutgoingMany(input.peerId, [input], limits)
    return result!
  }

  /**
   * Queues several messages to one peer in one transaction, all or none:
   * when the batch does not fit the limits, `ResourceLimitError` and nothing
   * changes. Ids already stored are answered as they are.
   */
  async appendOutgoingMany (peerId: string, inputs: Array<OutgoingInput & { callerId?: boolean }>, limits: OutboxLimits): Promise<Array<{ message: StoredMessage, created: boolean }>> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
    const messages = tx.objectStore('messages')
    // Only an id the caller chose can have been stored before.
    const existing = await Promise.all(inputs.map(async input => input.callerId === false ? undefined : await messages.get(input.id)))
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    const fresh = inputs.filter((_, i) => existing[i] == null)
    const count = ledger.pendingCount + fresh.length
    const bytes = ledger.pendingBytes + fresh.reduce((sum, m) => sum + m.bytes, 0)
    const over = count > limits.maxPendingMessages
      ? new ResourceLimitError('pending-messages', limits.maxPendingMessages, count)
      : bytes > limits.maxPendingBytes ? new ResourceLimitError('pending-bytes', limits.maxPendingBytes, bytes) : undefined
    if (over != null) {
      tx.abort()
      await tx.done.catch(() => {})
      throw over
    }
    const results = inputs.map((input, i) => {
      const stored = existing[i]
      if (stored != null) return { message: view(stored, ledger), created: false }
      const { callerId: _, ...fields } = input
      ledger.totalOutBytes += input.bytes
      const message: StoredMessage = { ...fields, peerId, direction: 'out', seq: ledger.nextOutSeq++, state: 'queued', cumulativeBytes: ledger.totalOutBytes }
      void messages.put(message)
      return { message, created: true }
    })
    ledger.pendingCount = count
    ledger.pendingBytes = bytes
    void tx.objectStore('ledgers').put(ledger)
    await tx.done
    return results
  }

  /**
   * Stores incoming messages in sequence order: duplicates (below the next
   * expected number) are dropped, and so is everything from the first gap on,
   * since the sender resends from the ack point. Answers what was stored and
   * the cumulative sequence number to acknowledge (-1: none yet).
   */
  async storeIncoming (peerId: string, incoming: Array<{ seq: number, text: string, bytes: number }>, at = Date.now()): Promise<{ stored: StoredMessage[], ackSeq: number }> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
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

  /** The peer gave up on its messages up to `seq`: stop waiting for them. Answers the sequence number to ack. */
  async skipIncoming (peerId: string, seq: number): Promise<number> {
    const tx = this.#db.transaction('ledgers', 'readwrite', WRITE)
    const ledger = await tx.store.get(peerId) ?? freshLedger(peerId)
    if (seq >= ledger.nextInSeq) {
      ledger.nextInSeq = seq + 1
      await tx.store.put(ledger)
    }
    await tx.done
    return ledger.nextInSeq - 1
  }

  /**
   * The last sequence number the receiver may skip: when every message after
   * the ack point and before the first one still pending has failed, the
   * receiver must stop waiting for them. Undefined when there is no such gap
   * (in particular, messages in flight are pending and are never skipped).
   */
  async skippableUpTo (peerId: string): Promise<number | undefined> {
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const ledger = await tx.objectStore('ledgers').get(peerId)
    if (ledger == null || ledger.failedAfterAck.length === 0) return undefined
    const range = IDBKeyRange.bound([peerId, 'out', ledger.ackedOutSeq + 1], [peerId, 'out', Infinity])
    let cursor = await tx.objectStore('messages').index('byPeerDirSeq').openCursor(range)
    while (cursor != null && cursor.value.state !== 'queued') cursor = await cursor.continue()
    const firstPending = cursor?.value.seq ?? ledger.nextOutSeq
    return firstPending > ledger.ackedOutSeq + 1 ? firstPending - 1 : undefined
  }

  /** The sequence number expected next from the peer (sent in HELLO). */
  async nextExpected (peerId: string): Promise<number> {
    return (await this.#db.get('ledgers', peerId))?.nextInSeq ?? 0
  }

  /**
   * The peer acknowledged every outgoing message up to `seq` (acks are
   * cumulative). Writes only the ledger: the count and bytes acknowledged come
   * from the running byte total stored with each message. Answers whether
   * the ack moved.
   */
  async acknowledge (peerId: string, seq: number): Promise<boolean> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    if (seq <= ledger.ackedOutSeq || seq >= ledger.nextOutSeq) {
      await tx.done
      return false
    }
    const last = await tx.objectStore('messages').index('byPeerDirSeq').get([peerId, 'out', seq])
    const bytesUpTo = last?.cumulativeBytes ?? ledger.ackedOutBytes
    const failedInRange = ledger.failedAfterAck.filter(f => f.seq <= seq)
    ledger.pendingCount -= (seq - ledger.ackedOutSeq) - failedInRange.length
    ledger.pendingBytes -= (bytesUpTo - ledger.ackedOutBytes) - failedInRange.reduce((sum, f) => sum + f.bytes, 0)
    ledger.failedAfterAck = ledger.failedAfterAck.filter(f => f.seq > seq)
    ledger.ackedOutSeq = seq
    ledger.ackedOutBytes = bytesUpTo
    await Promise.all([tx.objectStore('ledgers').put(ledger), tx.done])
    return true
  }

  /** Outgoing messages still pending for a peer, in sequence order, from `fromSeq` on. */
  async pending (peerId: string, fromSeq = 0, maxBytes = Infinity): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    const range = IDBKeyRange.bound([peerId, 'out', Math.max(fromSeq, ledger.ackedOutSeq + 1)], [peerId, 'out', Infinity])
    const out: StoredMessage[] = []
    let bytes = 0
    let cursor = await tx.objectStore('messages').index('byPeerDirSeq').openCursor(range)
    while (cursor != null) {
      if (cursor.value.state === 'queued') {
        if (out.length > 0 && bytes + cursor.value.bytes > maxBytes) break
        out.push(cursor.value)
        bytes += cursor.value.bytes
      }
      cursor = await cursor.continue()
    }
    return out
  }

  /** Fails pending outgoing messages of a peer (all, or those `which` selects), releasing their share of the limits. */
  async failPending (peerId: string, errorFor: (m: StoredMessage) => SerializedError, which: (m: StoredMessage) => boolean = () => true): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    const range = IDBKeyRange.bound([peerId, 'out', ledger.ackedOutSeq + 1], [peerId, 'out', Infinity])
    const changed: StoredMessage[] = []
    for await (const cursor of tx.objectStore('messages').index('byPeerDirSeq').iterate(range)) {
      if (cursor.value.state !== 'queued' || !which(cursor.value)) continue
      ledger.pendingCount -= 1
      ledger.pendingBytes -= cursor.value.bytes
      ledger.failedAfterAck.push({ seq: cursor.value.seq, bytes: cursor.value.bytes })
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
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const message = await tx.objectStore('messages').get(id)
    return message == null ? undefined : view(message, await tx.objectStore('ledgers').get(message.peerId))
  }

  /** The newest `limit` messages of a conversation, oldest first. */
  async list (peerId: string, limit: number): Promise<StoredMessage[]> {
    const range = IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const ledger = await tx.objectStore('ledgers').get(peerId)
    const out: StoredMessage[] = []
    let cursor = await tx.objectStore('messages').index('byPeerAt').openCursor(range, 'prev')
    while (cursor != null && out.length < limit) {
      out.push(view(cursor.value, ledger))
      cursor = await cursor.continue()
    }
    return out.reverse()
  }
}
