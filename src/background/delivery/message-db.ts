import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
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

export interface PeerlinkDB extends DBSchema {
  messages: {
    key: string
    value: StoredMessage
    indexes: {
      byPeerAt: [string, number, string, number]
      byPeerOutSeq: [string, number]
      byPeerWireId: [string, string]
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

/**
 * Opens (and creates or upgrades) one identity's conversations database.
 * `lost` is called if the browser closes the connection (Chromium does when
 * the disk is full): every later transaction on it would fail.
 */
export async function openMessageDB (name: string, lost?: () => void): Promise<MessageDB> {
  return await openDB<PeerlinkDB>(name, 3, {
    terminated: lost,
    upgrade (db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' })
        // Messages of the same millisecond keep their sequence order.
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
      }
      // Version 2: incoming messages are found by their sender's id, so one sent again is stored once.
      if (oldVersion < 2) tx.objectStore('messages').createIndex('byPeerWireId', ['peerId', 'wireId'])
      // Version 3: every message belongs to a channel (a client's, or Peerlink's own), and clients read theirs alone.
      if (oldVersion < 3) {
        const messages = tx.objectStore('messages')
        messages.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
        if ((messages.indexNames as unknown as DOMStringList).contains('byPeerDirSeq')) messages.deleteIndex('byPeerDirSeq' as never)
        // A failure here aborts the upgrade's transaction, and the open fails: nothing half-migrated stays.
        if (oldVersion > 0) void addChannelsAndOutSeq(messages)
      }
    }
  })
}

/** Messages stored before channels existed were all Peerlink's own, and all text; outgoing ones get their `outSeq`. */
async function addChannelsAndOutSeq (messages: { iterate: () => AsyncIterable<{ value: StoredMessage, update: (value: StoredMessage) => Promise<unknown> }> }): Promise<void> {
  for await (const cursor of messages.iterate()) {
    const message = cursor.value
    const outSeq = message.direction === 'out' ? { outSeq: message.seq } : {}
    if (message.channel == null || (message.direction === 'out' && message.outSeq == null)) await cursor.update({ ...message, channel: message.channel ?? OWN_CHANNEL, kind: message.kind ?? 'text', ...outSeq })
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
