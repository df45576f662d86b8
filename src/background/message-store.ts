import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { MessageView } from '../api/protocol.ts'
import { ResourceLimitError, ValidationError, type SerializedError } from '../common/errors/index.ts'
import { UnsentAckError } from '../common/errors/unsent-ack-error.ts'

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

/** A message appended (or found already stored), with the peer's ack point at that moment. */
export interface AppendResult {
  message: StoredMessage
  created: boolean
  ackedOutSeq: number
}

/** Stored messages, with the ack point of their peer's conversation read in the same transaction. */
export interface StoredWithAck<T> {
  found: T
  ackedOutSeq: number
}

export interface OutboxLimits {
  maxPendingMessages: number
  maxPendingBytes: number
}

/**
 * Writes whose loss the peer would never repair commit with strict
 * durability: what we acknowledge (received messages, skips), since the
 * sender deletes its copy on our ack. Chrome defaults to relaxed since
 * Chrome 121, where a committed transaction may be lost on power failure or
 * an OS crash. One transaction per burst pays the flush once per burst.
 * Everything else is relaxed, which survives a worker or browser crash and
 * skips only the wait for the operating system's flush: a lost ack record
 * means a resend the receiver drops as a duplicate, and the outbox's own
 * records are resent from whatever state survived.
 */
const ACKED_WRITE = { durability: 'strict' } as const
const WRITE = { durability: 'relaxed' } as const

const freshLedger = (peerId: string): PeerLedger => ({
  peerId, nextOutSeq: 0, nextInSeq: 0, ackedOutSeq: -1, pendingCount: 0, pendingBytes: 0, totalOutBytes: 0, ackedOutBytes: 0, failedAfterAck: []
})

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
  async appendOutgoing (input: OutgoingInput, limits: OutboxLimits): Promise<AppendResult> {
    const [result] = await this.appendOutgoingMany(input.peerId, [input], limits)
    return result!
  }

  /**
   * Queues several messages to one peer in one transaction, all or none:
   * when the batch does not fit the limits, `ResourceLimitError` and nothing
   * changes. Ids already stored are answered as they are.
   */
  async appendOutgoingMany (peerId: string, inputs: Array<OutgoingInput & { callerId?: boolean }>, limits: OutboxLimits): Promise<AppendResult[]> {
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
    // A repeated id answers its message only if it is the same message; never another one's state.
    const clash = inputs.findIndex((input, i) => {
      const stored = existing[i]
      return stored != null && (stored.peerId !== peerId || stored.direction !== 'out' || stored.text !== input.text)
    })
    if (clash >= 0) {
      tx.abort()
      await tx.done.catch(() => {})
      throw new ValidationError(inputs.length === 1 ? 'id' : `messages.${clash}.id`, `the id ${inputs[clash]!.id} belongs to another message`)
    }
    const results = inputs.map((input, i) => {
      const stored = existing[i]
      if (stored != null) return { message: stored, created: false, ackedOutSeq: ledger.ackedOutSeq }
      const { callerId: _, ...fields } = input
      ledger.totalOutBytes += input.bytes
      const message: StoredMessage = { ...fields, peerId, direction: 'out', seq: ledger.nextOutSeq++, state: 'queued', cumulativeBytes: ledger.totalOutBytes }
      void messages.put(message)
      return { message, created: true, ackedOutSeq: ledger.ackedOutSeq }
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
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', ACKED_WRITE)
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
    const tx = this.#db.transaction('ledgers', 'readwrite', ACKED_WRITE)
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

  /**
   * Keeps at most `keep` messages of a conversation, removing the oldest
   * first. Messages after the peer's ack point (pending, or failed and still
   * counted in the ledger) are never removed. Answers how many went.
   */
  async prune (peerId: string, keep: number): Promise<number> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
    const index = tx.objectStore('messages').index('byPeerAt')
    const range = IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
    let excess = await index.count(range) - keep
    let removed = 0
    if (excess > 0) {
      const ackedOutSeq = (await tx.objectStore('ledgers').get(peerId))?.ackedOutSeq ?? -1
      for await (const cursor of index.iterate(range)) {
        if (excess <= 0) break
        if (cursor.value.direction === 'out' && cursor.value.seq > ackedOutSeq) continue
        await cursor.delete()
        excess -= 1
        removed += 1
      }
    }
    await tx.done
    return removed
  }

  /** Whether any message went either way with the peer. */
  async hasConversation (peerId: string): Promise<boolean> {
    const ledger = await this.#db.get('ledgers', peerId)
    return ledger != null && (ledger.nextOutSeq > 0 || ledger.nextInSeq > 0)
  }

  /** The sequence number expected next from the peer (sent in HELLO). */
  async nextExpected (peerId: string): Promise<number> {
    return (await this.#db.get('ledgers', peerId))?.nextInSeq ?? 0
  }

  /**
   * The peer acknowledged every outgoing message up to `seq` (acks are
   * cumulative): they are delivered, whatever their local state, since the
   * peer has them (a message failed here, by expiry or a close, and acked
   * late is delivered after all). Answers the messages the ack newly covers,
   * as delivered. An ack of a number never sent throws `UnsentAckError`.
   */
  async acknowledge (peerId: string, seq: number): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['messages', 'ledgers'], 'readwrite', WRITE)
    const ledger = await tx.objectStore('ledgers').get(peerId) ?? freshLedger(peerId)
    if (seq >= ledger.nextOutSeq) {
      tx.abort()
      await tx.done.catch(() => {})
      throw new UnsentAckError(peerId, seq, ledger.nextOutSeq)
    }
    if (seq <= ledger.ackedOutSeq) {
      await tx.done
      return []
    }
    const delivered: StoredMessage[] = []
    const range = IDBKeyRange.bound([peerId, 'out', ledger.ackedOutSeq + 1], [peerId, 'out', seq])
    let bytesUpTo = ledger.ackedOutBytes
    for await (const cursor of tx.objectStore('messages').index('byPeerDirSeq').iterate(range)) {
      const message = cursor.value
      bytesUpTo = message.cumulativeBytes ?? bytesUpTo
      if (message.state === 'failed') {
        // Counted out of the limits when it failed: back in, so the subtraction below stays exact.
        ledger.pendingCount += 1
        ledger.pendingBytes += message.bytes
        const { error: _, ...rest } = message
        await cursor.update({ ...rest, state: 'queued' })
      }
      delivered.push({ ...message, state: 'delivered' })
    }
    ledger.pendingCount -= seq - ledger.ackedOutSeq
    ledger.pendingBytes -= bytesUpTo - ledger.ackedOutBytes
    ledger.failedAfterAck = ledger.failedAfterAck.filter(f => f.seq > seq)
    ledger.ackedOutSeq = seq
    ledger.ackedOutBytes = bytesUpTo
    await Promise.all([tx.objectStore('ledgers').put(ledger), tx.done])
    return delivered.map(({ error: _, ...message }) => message)
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

  async get (id: string): Promise<StoredWithAck<StoredMessage> | undefined> {
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const message = await tx.objectStore('messages').get(id)
    if (message == null) return undefined
    return { found: message, ackedOutSeq: (await tx.objectStore('ledgers').get(message.peerId))?.ackedOutSeq ?? -1 }
  }

  /**
   * The newest `limit` messages of a conversation, oldest first, and at most
   * `maxBytes` of text (but always one message). With `before` (a message's
   * id), the ones just older than that message: the next page back.
   */
  async list (peerId: string, limit: number, { before, maxBytes = Infinity }: { before?: string, maxBytes?: number } = {}): Promise<StoredWithAck<StoredMessage[]>> {
    const tx = this.#db.transaction(['messages', 'ledgers'])
    const ledger = await tx.objectStore('ledgers').get(peerId)
    const from = before == null ? undefined : await tx.objectStore('messages').get(before)
    if (before != null && from?.peerId !== peerId) throw new ValidationError('before', `no message ${before} in this conversation`)
    const range = from == null
      ? IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
      : IDBKeyRange.bound([peerId, -Infinity], [peerId, from.at, from.direction, from.seq], false, true)
    const out: StoredMessage[] = []
    let bytes = 0
    let cursor = await tx.objectStore('messages').index('byPeerAt').openCursor(range, 'prev')
    while (cursor != null && out.length < limit && (out.length === 0 || bytes + cursor.value.bytes <= maxBytes)) {
      out.push(cursor.value)
      bytes += cursor.value.bytes
      cursor = await cursor.continue()
    }
    return { found: out.reverse(), ackedOutSeq: ledger?.ackedOutSeq ?? -1 }
  }
}
