import type { PayloadKind } from '../../common/wire/frames.ts'
import { payloadOf } from '../../common/wire/payload.ts'
import type { Contacts } from '../peers/index.ts'
import type { MessageStore, StoredMessage } from './message-store.ts'


/** The receiving half of reliable delivery: stores in order, drops duplicates, answers what to ack. */
export class Inbox {
  readonly #store: MessageStore
  readonly #contacts: Contacts
  readonly #announce: (message: StoredMessage) => void
  readonly #received: (peerId: string, messages: StoredMessage[]) => Promise<void>
  readonly #history: () => number
  readonly #log: (format: string, ...args: unknown[]) => void

  /**
   * `received` is told once per batch, so per-message bookkeeping (unread
   * counts) costs one write per burst; `history` is how many messages a
   * conversation keeps.
   */
  constructor (store: MessageStore, contacts: Contacts, announce: (message: StoredMessage) => void, received: (peerId: string, messages: StoredMessage[]) => Promise<void>, history: () => number, log: (format: string, ...args: unknown[]) => void) {
    this.#store = store
    this.#log = log
    this.#contacts = contacts
    this.#announce = announce
    this.#received = received
    this.#history = history
  }

  /**
   * Stores message frames durably; answers the cumulative sequence number to
   * acknowledge (-1: none). A full disk throws `StorageFullError`.
   */
  async receive (peerId: string, frames: Array<{ seq: number, id: string, body: Uint8Array, channel: string, kind: PayloadKind }>): Promise<number> {
    const incoming = frames.map(f => ({ seq: f.seq, id: f.id, channel: f.channel, ...payloadOf(f.kind, f.body) }))
    const { stored, ackSeq } = await this.#store.storeIncoming(peerId, incoming)
    for (const message of stored) this.#announce(message)
    if (stored.length > 0) {
      await this.#received(peerId, stored)
      this.#store.history.grew(peerId, stored.length, this.#history(), this.#log)
    }
    await this.#contacts.touch(peerId)
    return ackSeq
  }
}
