import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb'
import type { MessageView } from '../../api/protocol.ts'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import type { PeerLedger } from './conversation-ledger.ts'

/**
 * A stored message: what the pages see, plus what only the worker needs.
 * An outgoing message is stored once as 'queued' (or later 'failed'); that
 * it was delivered follows from the peer's cumulative ack, so an ack writes
 * one ledger record however many messages it covers.
 */
export interface StoredMessage extends MessageView {
  /** When an outgoing message expires; absent on incoming ones. */
  expiresAt?: number
  /** An incoming message's id as its sender knows it: a message sent again keeps it, and is stored once. */
  wireId?: string
  /** The sender's incarnation of the conversation when an incoming message came: its ids are its own ('' when unknown). */
  wireIncarnation?: string
  /**
   * A failed outgoing message the receiver was told to skip: a later ack
   * covering its number does not mean the peer has it.
   */
  skipped?: true
  /**
   * An outgoing message's sequence number (its `seq`), on outgoing messages
   * only: the outbox finds them by it (`byPeerOutSeq`), and an incoming
   * message, without it, costs one index entry fewer to store and to prune.
   */
  outSeq?: number
  /** An outgoing message left in the peer's mailbox: the relays (peer ids) that hold it, and when. */
  mailbox?: { relays: string[], at: number }
}

/** A message's key: ids belong to a channel, so a client's ids never meet another's. */
export type MessageKey = [channel: string, id: string]

/** The key of a stored message. */
export function keyOf ({ channel, id }: { channel: string, id: string }): MessageKey {
  return [channel, id]
}

export interface PeerlinkDB extends DBSchema {
  messages: {
    key: MessageKey
    value: StoredMessage
    indexes: {
      byPeerAt: [string, number, string, number]
      byPeerOutSeq: [string, number]
      /** An incoming message by who sent it under which id: peer, its incarnation, channel, its id. */
      byWireId: [string, string, string, string]
      byPeerChannelAt: [string, string, number, string, number]
    }
  }
  ledgers: { key: string, value: PeerLedger }
}

export type MessageDB = IDBPDatabase<PeerlinkDB>

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
export const ACKED_WRITE = { durability: 'strict' } as const
export const WRITE = { durability: 'relaxed' } as const

/** The messages store as schema 4 lays it out, under `name`. */
function createMessages (db: IDBPDatabase<PeerlinkDB>, name: 'messages') {
  const messages = db.createObjectStore(name, { keyPath: ['channel', 'id'] })
  // Messages of the same millisecond keep their sequence order.
  messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
  messages.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
  messages.createIndex('byWireId', ['peerId', 'wireIncarnation', 'channel', 'wireId'])
  messages.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
  return messages
}

/** Where schema 4's messages are written while the old store is read. */
const UPGRADING_STORE = 'messages-upgrading'

/**
 * Opens (and creates or upgrades) one identity's conversations database.
 * Schema 4 keys messages by channel and id (schema 1 to 3 had one key space
 * for every client's ids), and finds incoming ones by the sender's
 * incarnation, channel and id. `lost` is called if the browser closes the
 * connection (Chromium does when the disk is full): every later transaction
 * on it would fail.
 */
export async function openMessageDB (name: string, lost?: () => void): Promise<MessageDB> {
  return await openDB<PeerlinkDB>(name, 4, {
    terminated: lost,
    upgrade (db, oldVersion, _newVersion, tx) {
      if (oldVersion === 0) {
        createMessages(db, 'messages')
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
        return
      }
      // A key path cannot change in place: every record moves to a new store, which then takes the old one's name.
      // A failure here aborts the upgrade's transaction, and the open fails: nothing half-migrated stays.
      const next = createMessages(db, UPGRADING_STORE as 'messages')
      void moveToSchema4(tx as unknown as UpgradeTransaction, next).then(() => {
        db.deleteObjectStore('messages')
        next.name = 'messages'
      })
    }
  })
}

type UpgradeTransaction = IDBPTransaction<PeerlinkDB, Array<'messages' | 'ledgers'>, 'versionchange'>

/**
 * Copies every message into schema 4's store: messages from before
 * channels were Peerlink's own and text; outgoing ones get their `outSeq`,
 * incoming ones the incarnation their sender has now (the best there is to
 * know); each ledger's per-client pending counts and bytes are counted again
 * from what is pending.
 */
async function moveToSchema4 (tx: UpgradeTransaction, next: ReturnType<typeof createMessages>): Promise<void> {
  const ledgers = new Map((await tx.objectStore('ledgers').getAll()).map(l => [l.peerId, l]))
  const pending = new Map<string, { messages: Record<string, number>, bytes: Record<string, number> }>()
  for await (const cursor of tx.objectStore('messages').iterate()) {
    const old = cursor.value
    const message: StoredMessage = { ...old, channel: old.channel ?? OWN_CHANNEL, kind: old.kind ?? 'text' }
    if (message.direction === 'out') message.outSeq ??= message.seq
    else message.wireIncarnation ??= ledgers.get(message.peerId)?.peerIncarnation ?? ''
    void next.put(message)
    const ledger = ledgers.get(message.peerId)
    if (message.direction !== 'out' || message.state !== 'queued' || message.channel === OWN_CHANNEL || ledger == null || message.seq <= ledger.ackedOutSeq) continue
    const counts = pending.get(message.peerId) ?? { messages: {}, bytes: {} }
    counts.messages[message.channel] = (counts.messages[message.channel] ?? 0) + 1
    counts.bytes[message.channel] = (counts.bytes[message.channel] ?? 0) + message.bytes
    pending.set(message.peerId, counts)
  }
  for (const ledger of ledgers.values()) {
    const counts = pending.get(ledger.peerId)
    const { pendingByChannel: _, pendingBytesByChannel: __, ...rest } = ledger
    void tx.objectStore('ledgers').put(counts == null ? rest : { ...rest, pendingByChannel: counts.messages, pendingBytesByChannel: counts.bytes })
  }
}

/** The range of a conversation's messages in the `byPeerAt` index. */
export function conversationRange (peerId: string): IDBKeyRange {
  return IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
}

/** The range of one channel's messages with a peer in the `byPeerChannelAt` index. */
export function channelRange (peerId: string, channel: string): IDBKeyRange {
  return IDBKeyRange.bound([peerId, channel, -Infinity], [peerId, channel, Infinity, [], []])
}
