import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { MessageState, MessageView } from '../api/protocol.ts'
import type { SerializedError } from '../common/errors/index.ts'

/** Per-peer sequence state, kept in the same transaction as the messages it numbers. */
interface Sequences {
  peerId: string
  /** Sequence number the next outgoing message gets; starts at 0. */
  nextOutSeq: number
  /** Sequence number expected next from the peer; lower ones are duplicates. */
  nextInSeq: number
  /** Every outgoing message up to here was acknowledged; -1 when none was. */
  ackedOutSeq: number
}

interface PeerlinkDB extends DBSchema {
  messages: {
    key: string
    value: MessageView
    indexes: { byPeerAt: [string, number, string, number], byPeerDirSeq: [string, string, number] }
  }
  sequences: { key: string, value: Sequences }
}

const freshSequences = (peerId: string): Sequences => ({ peerId, nextOutSeq: 0, nextInSeq: 0, ackedOutSeq: -1 })

/** Conversations and sequence numbers in IndexedDB: the durable half of messaging. */
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
        db.createObjectStore('sequences', { keyPath: 'peerId' })
      }
    })
    return new MessageStore(db)
  }

  close (): void {
    this.#db.close()
  }

  /** Stores an outgoing message with the peer's next sequence number. */
  async appendOutgoing (peerId: string, text: string, at = Date.now()): Promise<MessageView> {
    const tx = this.#db.transaction(['messages', 'sequences'], 'readwrite')
    const seqs = await tx.objectStore('sequences').get(peerId) ?? freshSequences(peerId)
    const message: MessageView = { id: crypto.randomUUID(), peerId, direction: 'out', seq: seqs.nextOutSeq, text, at, state: 'sending' }
    seqs.nextOutSeq += 1
    await Promise.all([tx.objectStore('sequences').put(seqs), tx.objectStore('messages').put(message), tx.done])
    return message
  }

  /** Stores an incoming message; answers null for a duplicate sequence number. */
  async storeIncoming (peerId: string, seq: number, text: string, at = Date.now()): Promise<MessageView | null> {
    const tx = this.#db.transaction(['messages', 'sequences'], 'readwrite')
    const seqs = await tx.objectStore('sequences').get(peerId) ?? freshSequences(peerId)
    if (seq < seqs.nextInSeq) {
      await tx.done
      return null
    }
    const message: MessageView = { id: crypto.randomUUID(), peerId, direction: 'in', seq, text, at, state: 'received' }
    seqs.nextInSeq = seq + 1
    await Promise.all([tx.objectStore('sequences').put(seqs), tx.objectStore('messages').put(message), tx.done])
    return message
  }

  /** Marks every outgoing message up to `seq` delivered (acks are cumulative); answers those that changed. */
  async acknowledge (peerId: string, seq: number): Promise<MessageView[]> {
    const tx = this.#db.transaction(['messages', 'sequences'], 'readwrite')
    const seqs = await tx.objectStore('sequences').get(peerId) ?? freshSequences(peerId)
    if (seq <= seqs.ackedOutSeq || seq >= seqs.nextOutSeq) {
      await tx.done
      return []
    }
    const range = IDBKeyRange.bound([peerId, 'out', seqs.ackedOutSeq + 1], [peerId, 'out', seq])
    const changed: MessageView[] = []
    for await (const cursor of tx.objectStore('messages').index('byPeerDirSeq').iterate(range)) {
      if (cursor.value.state !== 'delivered') {
        const updated: MessageView = { ...cursor.value, state: 'delivered' }
        delete updated.error
        await cursor.update(updated)
        changed.push(updated)
      }
    }
    seqs.ackedOutSeq = seq
    await tx.objectStore('sequences').put(seqs)
    await tx.done
    return changed
  }

  /** Sets one message's state; a delivered message stays delivered. */
  async setState (id: string, state: MessageState, error?: SerializedError): Promise<MessageView | null> {
    const tx = this.#db.transaction('messages', 'readwrite')
    const message = await tx.store.get(id)
    if (message == null || message.state === 'delivered') {
      await tx.done
      return null
    }
    const updated: MessageView = { ...message, state }
    if (error != null) updated.error = error
    else delete updated.error
    await Promise.all([tx.store.put(updated), tx.done])
    return updated
  }

  async get (id: string): Promise<MessageView | undefined> {
    return await this.#db.get('messages', id)
  }

  /** The newest `limit` messages of a conversation, oldest first. */
  async list (peerId: string, limit: number): Promise<MessageView[]> {
    const range = IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
    const out: MessageView[] = []
    let cursor = await this.#db.transaction('messages').store.index('byPeerAt').openCursor(range, 'prev')
    while (cursor != null && out.length < limit) {
      out.push(cursor.value)
      cursor = await cursor.continue()
    }
    return out.reverse()
  }
}
