import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb'
import type { MessageView } from '../../api/protocol.ts'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import { MAX_BURST_BYTES, MAX_BURST_MESSAGES } from '../../common/constants.ts'
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
   * only: the outbox finds a message's record by the first of its record's
   * (`byPeerOutSeq`).
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

/** An incoming message by who sent it under which id: peer, its incarnation, channel, its id. */
export type WireKey = [peerId: string, incarnation: string, channel: string, wireId: string]

/** Where a burst's messages of one channel sit in that channel's order: peer, channel, then as `byPeerAt`. */
export type ChannelAtKey = [peerId: string, channel: string, at: number, direction: string, order: number]

/**
 * Messages written together (a `sendMany`, a burst received), stored as one
 * record: one peer, one direction, one time, in sequence order. A record
 * costs IndexedDB about what five 1 KiB messages inside one do, so storing
 * and removing a message costs a fifth of what a record each did. Every
 * message stays findable on its own: by its key and its sender's id
 * (multi-entry indexes, an entry per message), and the record by its time,
 * its channels and its outgoing sequence numbers.
 */
export interface BurstRecord {
  /** The record's own number (assigned by IndexedDB). */
  n?: number
  peerId: string
  direction: 'in' | 'out'
  at: number
  /** Its place among the conversation's records (the ledger's `nextBurst`): the order of records of the same time and direction. */
  order: number
  /** An outgoing record's first `outSeq`: the outbox finds records by it. Absent on incoming ones. */
  outFirst?: number
  /** At least one message, in sequence order. */
  messages: StoredMessage[]
  keys: MessageKey[]
  wires: WireKey[]
  channels: ChannelAtKey[]
}

export interface PeerlinkDB extends DBSchema {
  bursts: {
    key: number
    value: BurstRecord
    indexes: {
      byPeerAt: [string, number, string, number]
      byPeerOutSeq: [string, number]
      byKey: MessageKey
      byWireId: WireKey
      byPeerChannelAt: ChannelAtKey
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

/** The bursts store as schema 5 lays it out. */
function createBursts (db: IDBPDatabase<PeerlinkDB>): void {
  const bursts = db.createObjectStore('bursts', { keyPath: 'n', autoIncrement: true })
  bursts.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'order'])
  bursts.createIndex('byPeerOutSeq', ['peerId', 'outFirst'])
  bursts.createIndex('byKey', 'keys', { multiEntry: true })
  bursts.createIndex('byWireId', 'wires', { multiEntry: true })
  bursts.createIndex('byPeerChannelAt', 'channels', { multiEntry: true })
}

/**
 * Opens (and creates or upgrades) one identity's conversations database.
 * Schema 5 stores messages written together as one record (`BurstRecord`);
 * schemas 1 to 4 kept a record per message, and are moved over on open.
 * `lost` is called if the browser closes the connection (Chromium does when
 * the disk is full): every later transaction on it would fail.
 */
export async function openMessageDB (name: string, lost?: () => void): Promise<MessageDB> {
  return await openDB<PeerlinkDB>(name, 5, {
    terminated: lost,
    upgrade (db, oldVersion, _newVersion, tx) {
      createBursts(db)
      if (oldVersion === 0) {
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
        return
      }
      // A failure here aborts the upgrade's transaction, and the open fails: nothing half-moved stays.
      void moveToBursts(tx as unknown as UpgradeTransaction).then(() => {
        db.deleteObjectStore(OLD_MESSAGES as never)
      })
    }
  })
}

/** Where schemas 1 to 4 kept a record per message. */
const OLD_MESSAGES = 'messages'

type UpgradeTransaction = IDBPTransaction<PeerlinkDB & { messages: { key: IDBValidKey, value: StoredMessage, indexes: { byPeerAt: [string, number, string, number] } } }, Array<'messages' | 'bursts' | 'ledgers'>, 'versionchange'>

/**
 * Moves every message of the old layout into bursts: messages before
 * channels were Peerlink's own and text; outgoing ones get their `outSeq`,
 * incoming ones the incarnation their sender has now (the best there is to
 * know). Messages of one peer, direction and time, next to each other in
 * time order, make one burst, as they were written. Each ledger's per-client
 * pending counts and bytes are counted again from what is pending.
 */
async function moveToBursts (tx: UpgradeTransaction): Promise<void> {
  const ledgers = new Map((await tx.objectStore('ledgers').getAll()).map(l => [l.peerId, l]))
  const pending = new Map<string, { messages: Record<string, number>, bytes: Record<string, number> }>()
  const bursts = tx.objectStore('bursts')
  const old = tx.objectStore('messages')
  let run: StoredMessage[] = []
  const flush = (): void => {
    const ledger = run[0] == null ? undefined : ledgers.get(run[0].peerId)
    for (const group of burstsOf(run, () => ledger == null ? 0 : (ledger.nextBurst = (ledger.nextBurst ?? 0) + 1) - 1)) void bursts.add(group)
    run = []
  }
  // In time order: every schema before this one had that index.
  for await (const cursor of (old.indexNames.contains('byPeerAt') ? old.index('byPeerAt') : old).iterate()) {
    const stored = cursor.value
    const message: StoredMessage = { ...stored, channel: stored.channel ?? OWN_CHANNEL, kind: stored.kind ?? 'text' }
    if (message.direction === 'out') message.outSeq ??= message.seq
    else message.wireIncarnation ??= ledgers.get(message.peerId)?.peerIncarnation ?? ''
    const last = run.at(-1)
    if (last != null && !sameBurst(last, message)) flush()
    run.push(message)
    const ledger = ledgers.get(message.peerId)
    if (message.direction !== 'out' || message.state !== 'queued' || message.channel === OWN_CHANNEL || ledger == null || message.seq <= ledger.ackedOutSeq) continue
    const counts = pending.get(message.peerId) ?? { messages: {}, bytes: {} }
    counts.messages[message.channel] = (counts.messages[message.channel] ?? 0) + 1
    counts.bytes[message.channel] = (counts.bytes[message.channel] ?? 0) + message.bytes
    pending.set(message.peerId, counts)
  }
  flush()
  for (const ledger of ledgers.values()) {
    const counts = pending.get(ledger.peerId)
    const { pendingByChannel: _, pendingBytesByChannel: __, ...rest } = ledger
    void tx.objectStore('ledgers').put(counts == null ? rest : { ...rest, pendingByChannel: counts.messages, pendingBytesByChannel: counts.bytes })
  }
}

/** Whether two messages, one after the other, can share a burst: one peer, one direction, one time. */
function sameBurst (a: StoredMessage, b: StoredMessage): boolean {
  return a.peerId === b.peerId && a.direction === b.direction && a.at === b.at && b.seq > a.seq
}

/**
 * The burst records that hold `messages` (one peer's, in sequence order):
 * a new record wherever the time or direction changes, or one would grow
 * past `MAX_BURST_MESSAGES` or `MAX_BURST_BYTES`; each takes its place from
 * `nextOrder`.
 */
export function burstsOf (messages: StoredMessage[], nextOrder: () => number): BurstRecord[] {
  const out: BurstRecord[] = []
  let group: StoredMessage[] = []
  let bytes = 0
  for (const message of messages) {
    const last = group.at(-1)
    if (last != null && (!sameBurst(last, message) || group.length >= MAX_BURST_MESSAGES || bytes + message.bytes > MAX_BURST_BYTES)) {
      out.push(burstRecord(group, nextOrder()))
      group = []
      bytes = 0
    }
    group.push(message)
    bytes += message.bytes
  }
  if (group.length > 0) out.push(burstRecord(group, nextOrder()))
  return out
}

/** The record of a burst's messages (at least one, of one peer, direction and time, in sequence order) at its place `order`, keeping `n` when it is rewritten. */
export function burstRecord (messages: StoredMessage[], order: number, n?: number): BurstRecord {
  const [head] = messages
  if (head == null) throw new Error('a burst holds at least one message')
  const { peerId, direction, at } = head
  const channels = [...new Set(messages.map(m => m.channel))].map((channel): ChannelAtKey => [peerId, channel, at, direction, order])
  const wires = direction === 'in' ? messages.filter(m => m.wireId != null).map((m): WireKey => [peerId, m.wireIncarnation ?? '', m.channel, m.wireId!]) : []
  const record: BurstRecord = { peerId, direction, at, order, messages, keys: messages.map(keyOf), wires, channels }
  if (direction === 'out') record.outFirst = head.outSeq ?? head.seq
  if (n != null) record.n = n
  return record
}

/** The range of a conversation's messages in the `byPeerAt` index. */
export function conversationRange (peerId: string): IDBKeyRange {
  return IDBKeyRange.bound([peerId, -Infinity], [peerId, Infinity, [], []])
}

/** The range of one channel's messages with a peer in the `byPeerChannelAt` index. */
export function channelRange (peerId: string, channel: string): IDBKeyRange {
  return IDBKeyRange.bound([peerId, channel, -Infinity], [peerId, channel, Infinity, [], []])
}
