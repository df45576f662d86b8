import type { IDBPObjectStore, StoreNames } from 'idb'
import { burstRecord, type BurstRecord, type MessageKey, type PeerlinkDB, type StoredMessage } from './message-db.ts'

/** The bursts store inside a transaction, read-only or not. */
export type BurstsReader = IDBPObjectStore<PeerlinkDB, ArrayLike<StoreNames<PeerlinkDB>>, 'bursts', IDBTransactionMode>
/** The bursts store inside a read-write transaction. */
export type BurstsWriter = IDBPObjectStore<PeerlinkDB, ArrayLike<StoreNames<PeerlinkDB>>, 'bursts', 'readwrite'>

/** A stored message and the burst record that holds it. */
export interface Found {
  message: StoredMessage
  burst: BurstRecord
}

/** A message by its key (its channel and id), with its burst. */
export async function findMessage (bursts: BurstsReader, [channel, id]: MessageKey): Promise<Found | undefined> {
  const burst = await bursts.index('byKey').get([channel, id])
  const message = burst?.messages.find(m => m.channel === channel && m.id === id)
  return burst == null || message == null ? undefined : { message, burst }
}

/**
 * The outgoing bursts of a peer that may hold messages numbered `from` to
 * `to`, in order: the last one that starts at or before `from`, then every
 * one that starts after it up to `to` (`limit` of those at most).
 */
export async function outgoingBursts (bursts: BurstsReader, peerId: string, from: number, to: number, limit?: number): Promise<BurstRecord[]> {
  const index = bursts.index('byPeerOutSeq')
  const before = await index.openCursor(IDBKeyRange.bound([peerId, -Infinity], [peerId, from]), 'prev')
  const after = from >= to ? [] : await index.getAll(IDBKeyRange.bound([peerId, from], [peerId, to], true, false), limit)
  return before == null ? after : [before.value, ...after]
}

/** The outgoing messages of a peer numbered `from` to `to`, each with its burst. */
export async function outgoingMessages (bursts: BurstsReader, peerId: string, from: number, to: number): Promise<Found[]> {
  const out: Found[] = []
  for (const burst of await outgoingBursts(bursts, peerId, from, to)) {
    for (const message of burst.messages) if (message.seq >= from && message.seq <= to) out.push({ message, burst })
  }
  return out
}

/**
 * Changes to burst records within one transaction: each burst is written
 * once at the end however many of its messages changed, and removed when
 * none is left in it.
 */
export class BurstEdits {
  readonly #bursts: BurstsWriter
  readonly #changed = new Map<number, { burst: BurstRecord, messages: StoredMessage[] }>()

  constructor (bursts: BurstsWriter) {
    this.#bursts = bursts
  }

  /** The messages of `burst` as edited so far. */
  messagesOf (burst: BurstRecord): StoredMessage[] {
    return this.#changed.get(burst.n!)?.messages ?? burst.messages
  }

  /** Replaces a message of `burst` (found by its key) with `message`. */
  replace (burst: BurstRecord, message: StoredMessage): void {
    this.#changed.set(burst.n!, { burst, messages: this.messagesOf(burst).map(m => m.channel === message.channel && m.id === message.id ? message : m) })
  }

  /** Takes the messages `which` selects out of `burst`. */
  remove (burst: BurstRecord, which: (m: StoredMessage) => boolean): void {
    this.#changed.set(burst.n!, { burst, messages: this.messagesOf(burst).filter(m => !which(m)) })
  }

  /** Asks for every change to be written (put, or delete when a burst is empty); the transaction's completion says they were. */
  write (): void {
    for (const [n, { burst, messages }] of this.#changed) {
      if (messages.length === 0) void this.#bursts.delete(n)
      else void this.#bursts.put(burstRecord(messages, burst.order, n))
    }
    this.#changed.clear()
  }
}
