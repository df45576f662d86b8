import { OWN_CHANNEL } from '../../common/client-id.ts'
import { CLIENTS_SHARE_OF_PEER_PENDING, MAIL_SEEN_IDS, MAX_BURST_BYTES, MAX_BURST_MESSAGES } from '../../common/constants.ts'
import type { Hello, PayloadKind } from '../../common/wire/frames.ts'
import { ResourceLimitError, StorageFullError, UnsentAckError, ValidationError, type SerializedError } from '../../common/errors/index.ts'
import { ledgerOf, meetHello, ourHello, type HelloOutcome, type PeerLedger } from './conversation-ledger.ts'
import { BurstEdits, findMessage, outgoingBursts, outgoingMessages } from './burst-store.ts'
import { ACKED_WRITE, burstsOf, keyOf, openMessageDB, WRITE, type MessageDB, type StoredMessage } from './message-db.ts'
import { MessageHistory } from './message-history.ts'

export type { StoredMessage } from './message-db.ts'
export type { StoredWithAck } from './message-history.ts'

export interface OutgoingInput {
  id: string
  peerId: string
  /** The client sending it (`peerlink`: Peerlink's own pages). */
  channel: string
  kind: PayloadKind
  /** The text of a text message ('' for bytes); the payload of a bytes message is `data`, base64. */
  text: string
  data?: string
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

export interface OutboxLimits {
  maxPendingMessages: number
  maxPendingBytes: number
  /** Of those, one client's messages and bytes (Peerlink's own pages are not limited by them). */
  maxPendingMessagesPerClient: number
  maxPendingBytesPerClient: number
}

/** A message to send, and, after a gap of failed ones, the first of them. */
export type PendingMessage = StoredMessage & { skipFrom?: number }

/** An incoming message as the wire brought it. */
export interface IncomingInput {
  seq: number
  /** The sender's id of the message. */
  id: string
  channel: string
  kind: PayloadKind
  text: string
  /** A bytes message's payload, base64. */
  data?: string
  bytes: number
}

/** How far a conversation's mailbox path got (see `mailState`). */
export interface MailState {
  ackedOutSeq: number
  /** Our messages up to here are in the peer's mailbox (or acknowledged). */
  mailOutSeq: number
  nextInSeq: number
  /** What our last deposit told the peer we have of its messages. */
  mailAckedIn: number
  /** The `sentAt` of the newest envelope of the peer's we applied (0: none). */
  mailInSentAt: number
}

/** Outgoing burst records read per request while collecting what to send. */
const PENDING_PAGE_BURSTS = 16

/** Ends a transaction without writing anything, and throws why. */
async function refuse (tx: { abort: () => void, done: Promise<void> }, err: Error): Promise<never> {
  tx.abort()
  await tx.done.catch(() => {})
  throw err
}

/** The limit a peer's outbox would go over with `count` messages of `bytes` pending, if any. */
function pendingLimitError (limits: OutboxLimits, count: number, bytes: number): ResourceLimitError | undefined {
  if (count > limits.maxPendingMessages) return new ResourceLimitError('pending-messages', limits.maxPendingMessages, count)
  if (bytes > limits.maxPendingBytes) return new ResourceLimitError('pending-bytes', limits.maxPendingBytes, bytes)
  return undefined
}

/** Messages and bytes a batch adds on one client channel. */
interface ChannelLoad {
  messages: number
  bytes: number
}

/** What `messages` add per client channel (Peerlink's own is not counted). */
function clientLoads (messages: Array<{ channel: string, bytes: number }>): Map<string, ChannelLoad> {
  const loads = new Map<string, ChannelLoad>()
  for (const { channel, bytes } of messages) {
    if (channel === OWN_CHANNEL) continue
    const load = loads.get(channel) ?? { messages: 0, bytes: 0 }
    load.messages += 1
    load.bytes += bytes
    loads.set(channel, load)
  }
  return loads
}

/** The sum of a ledger's per-channel counts. */
function total (counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0)
}

/**
 * The client quota a peer's outbox would go over with `added` more per
 * channel, if any: each client's quota, then the share of the peer's limits
 * all clients together may hold, so Peerlink's own pages keep the rest.
 */
function clientLimitError (limits: OutboxLimits, ledger: PeerLedger, added: Map<string, ChannelLoad>): ResourceLimitError | undefined {
  if (added.size === 0) return undefined
  let addedMessages = 0
  let addedBytes = 0
  for (const [channel, load] of added) {
    const messages = (ledger.pendingByChannel?.[channel] ?? 0) + load.messages
    if (messages > limits.maxPendingMessagesPerClient) return new ResourceLimitError('client-pending-messages', limits.maxPendingMessagesPerClient, messages)
    const bytes = (ledger.pendingBytesByChannel?.[channel] ?? 0) + load.bytes
    if (bytes > limits.maxPendingBytesPerClient) return new ResourceLimitError('client-pending-bytes', limits.maxPendingBytesPerClient, bytes)
    addedMessages += load.messages
    addedBytes += load.bytes
  }
  const shareMessages = Math.floor(limits.maxPendingMessages * CLIENTS_SHARE_OF_PEER_PENDING)
  const messages = total(ledger.pendingByChannel) + addedMessages
  if (messages > shareMessages) return new ResourceLimitError('clients-pending-messages', shareMessages, messages)
  const shareBytes = Math.floor(limits.maxPendingBytes * CLIENTS_SHARE_OF_PEER_PENDING)
  const bytes = total(ledger.pendingBytesByChannel) + addedBytes
  if (bytes > shareBytes) return new ResourceLimitError('clients-pending-bytes', shareBytes, bytes)
  return undefined
}

/** Counts one more (`sign` 1) or one fewer (-1) pending message of `bytes` on a client's channel; Peerlink's own is not counted. */
function countPending (ledger: PeerLedger, { channel, bytes }: { channel: string, bytes: number }, sign: 1 | -1): void {
  if (channel === OWN_CHANNEL) return
  const change = (counts: Record<string, number>, delta: number): void => {
    const count = (counts[channel] ?? 0) + delta
    if (count > 0) counts[channel] = count
    else delete counts[channel]
  }
  change(ledger.pendingByChannel ??= {}, sign)
  change(ledger.pendingBytesByChannel ??= {}, sign * bytes)
  if (Object.keys(ledger.pendingBytesByChannel).length === 0) delete ledger.pendingBytesByChannel
  if (Object.keys(ledger.pendingByChannel).length === 0) delete ledger.pendingByChannel
}

/** Hands out the ledger's next places for burst records (the ledger is written in the same transaction). */
function nextBurst (ledger: PeerLedger): () => number {
  return () => {
    const order = ledger.nextBurst ?? 0
    ledger.nextBurst = order + 1
    return order
  }
}

/** Whether two messages say the same thing on the same channel. */
function samePayload (a: { channel: string, kind: string, text: string, data?: string }, b: { channel: string, kind: string, text: string, data?: string }): boolean {
  return a.channel === b.channel && a.kind === b.kind && a.text === b.text && a.data === b.data
}

/** Messages per channel among `messages`. */
export function countByChannel (messages: Array<{ channel: string }>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const { channel } of messages) counts.set(channel, (counts.get(channel) ?? 0) + 1)
  return counts
}

/**
 * Conversations, outbox and inbox in IndexedDB: the durable half of
 * messaging. One database per identity, so another identity's sequence
 * state is never reused; `history` is the read side pages use.
 */
export class MessageStore {
  readonly #db: MessageDB
  readonly history: MessageHistory

  private constructor (db: MessageDB) {
    this.#db = db
    this.history = new MessageHistory(db)
  }

  /** Opens the database `name`; `lost` is called if the browser closes it under us (a full disk, in Chromium). */
  static async open (name = 'peerlink', lost?: () => void): Promise<MessageStore> {
    return new MessageStore(await openMessageDB(name, lost))
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
   * when the batch does not fit the limits (ours, or the size the peer said
   * it accepts), `ResourceLimitError` and nothing changes. Ids already stored
   * are answered as they are.
   */
  async appendOutgoingMany (peerId: string, inputs: Array<OutgoingInput & { callerId?: boolean }>, limits: OutboxLimits): Promise<AppendResult[]> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const bursts = tx.objectStore('bursts')
    // Only an id the caller chose can have been stored before; ids are the channel's own, so only its messages are found.
    const existing = await Promise.all(inputs.map(async input => input.callerId === false ? undefined : (await findMessage(bursts, keyOf(input)))?.message))
    const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
    const fresh = inputs.filter((_, i) => existing[i] == null)
    const count = ledger.pendingCount + fresh.length
    const bytes = ledger.pendingBytes + fresh.reduce((sum, m) => sum + m.bytes, 0)
    const over = pendingLimitError(limits, count, bytes) ?? clientLimitError(limits, ledger, clientLoads(fresh))
    if (over != null) return await refuse(tx, over)
    const tooLarge = ledger.peerMaxMessageBytes == null ? undefined : fresh.find(m => m.bytes > ledger.peerMaxMessageBytes!)
    if (tooLarge != null) return await refuse(tx, new ResourceLimitError('peer-message-bytes', ledger.peerMaxMessageBytes!, tooLarge.bytes))
    // A repeated id answers its message only if it is the same message; never another one's state.
    const clash = inputs.findIndex((input, i) => {
      const stored = existing[i]
      return stored != null && (stored.peerId !== peerId || stored.direction !== 'out' || !samePayload(stored, input))
    })
    if (clash >= 0) return await refuse(tx, new ValidationError(inputs.length === 1 ? 'id' : `messages.${clash}.id`, `the id ${inputs[clash]!.id} belongs to another message`))
    const results = inputs.map((input, i) => {
      const stored = existing[i]
      if (stored != null) return { message: stored, created: false, ackedOutSeq: ledger.ackedOutSeq }
      const { callerId: _, ...fields } = input
      const seq = ledger.nextOutSeq++
      const message: StoredMessage = { ...fields, peerId, direction: 'out', seq, outSeq: seq, state: 'queued' }
      countPending(ledger, message, 1)
      return { message, created: true, ackedOutSeq: ledger.ackedOutSeq }
    })
    // The new messages, as few records as the burst limits allow.
    for (const burst of burstsOf(results.filter(r => r.created).map(r => r.message), nextBurst(ledger))) void bursts.add(burst)
    ledger.pendingCount = count
    ledger.pendingBytes = bytes
    if (ledger.storedCount != null) ledger.storedCount += results.filter(r => r.created).length
    void tx.objectStore('ledgers').put(ledger)
    await tx.done
    return results
  }

  /**
   * Sends a failed message again under a new sequence number, keeping its id
   * (so a receiver that had it after all stores it once). Answers it queued.
   */
  async requeue (channel: string, id: string, limits: OutboxLimits): Promise<AppendResult> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const bursts = tx.objectStore('bursts')
    const found = await findMessage(bursts, [channel, id])
    const message = found?.message
    if (message?.direction !== 'out' || message.state !== 'failed') {
      return await refuse(tx, new ValidationError('id', message == null ? `no message ${id}` : 'only a message that failed can be sent again'))
    }
    const ledger = ledgerOf(message.peerId, await tx.objectStore('ledgers').get(message.peerId))
    const over = pendingLimitError(limits, ledger.pendingCount + 1, ledger.pendingBytes + message.bytes) ??
      clientLimitError(limits, ledger, clientLoads([message]))
    if (over != null) return await refuse(tx, over)
    // Its old number stays behind as a gap: the receiver is told to skip it (see `pending`).
    const { error: _, skipped: __, mailbox: ___, ...rest } = message
    const seq = ledger.nextOutSeq++
    const requeued: StoredMessage = { ...rest, seq, outSeq: seq, state: 'queued' }
    ledger.pendingCount += 1
    ledger.pendingBytes += message.bytes
    countPending(ledger, message, 1)
    // It leaves its burst for one of its own, under its new number.
    const edits = new BurstEdits(bursts)
    edits.remove(found!.burst, m => m.channel === channel && m.id === id)
    edits.write()
    await Promise.all([bursts.add(burstsOf([requeued], nextBurst(ledger))[0]!), tx.objectStore('ledgers').put(ledger), tx.done])
    return { message: requeued, created: true, ackedOutSeq: ledger.ackedOutSeq }
  }

  /**
   * Stores incoming messages in sequence order: duplicates (below the next
   * expected number) are dropped, and so is everything from the first gap on,
   * since the sender resends from the ack point. A message the sender sent
   * again after it failed there (a retry keeps its id) takes its number but
   * is not stored twice: that is a message with the same id from the same
   * incarnation of the sender, on the same channel, with the same payload.
   * Anything else under a known id is a new message (another client's, or an
   * id the sender's caller could use again once its history or its install
   * forgot it), and is stored. Answers what was stored and the cumulative
   * sequence number to acknowledge (-1: none yet). A full disk is
   * `StorageFullError`.
   */
  async storeIncoming (peerId: string, incoming: IncomingInput[], at = Date.now()): Promise<{ stored: StoredMessage[], ackSeq: number }> {
    try {
      const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', ACKED_WRITE)
      const bursts = tx.objectStore('bursts')
      const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
      const stored: StoredMessage[] = []
      const before = ledger.nextInSeq
      // The run that follows on from what we have: duplicates before it, and everything from the first gap on, are dropped.
      const first = incoming.findIndex(m => m.seq === before)
      const run: IncomingInput[] = []
      for (let i = first; i >= 0 && i < incoming.length && incoming[i]!.seq === before + run.length; i++) run.push(incoming[i]!)
      // All lookups are asked for at once: one round trip for the burst, not one per message.
      const wireIncarnation = ledger.peerIncarnation ?? ''
      const byWireId = bursts.index('byWireId')
      const known = await Promise.all(run.map(async ({ id, channel }) =>
        (await byWireId.getAll([peerId, wireIncarnation, channel, id])).flatMap(burst => burst.messages)))
      run.forEach(({ seq, id, ...payload }, i) => {
        ledger.nextInSeq += 1
        // Sent again after it failed there: it takes its new number, and is stored once.
        const same = (m: StoredMessage): boolean => m.wireId === id && m.wireIncarnation === wireIncarnation && samePayload(m, payload)
        if (known[i]!.some(same) || stored.some(same)) return
        stored.push({ id: crypto.randomUUID(), wireId: id, wireIncarnation, peerId, direction: 'in', seq, ...payload, at, state: 'received' })
      })
      for (const burst of burstsOf(stored, nextBurst(ledger))) void bursts.add(burst)
      if (ledger.storedCount != null) ledger.storedCount += stored.length
      if (ledger.nextInSeq > before) void tx.objectStore('ledgers').put(ledger)
      await tx.done
      return { stored, ackSeq: ledger.nextInSeq - 1 }
    } catch (err) {
      if ((err as Error).name === 'QuotaExceededError') throw new StorageFullError(peerId, (err as Error).message)
      throw err
    }
  }

  /**
   * The peer's messages from `from` to `seq` failed: a receiver waiting for
   * one of them moves past them all; outside the range nothing moves, so a
   * SKIP can never jump over a message still on its way. Answers the sequence
   * number to ack.
   */
  async skipIncoming (peerId: string, from: number, seq: number): Promise<number> {
    const tx = this.#db.transaction('ledgers', 'readwrite', ACKED_WRITE)
    const ledger = ledgerOf(peerId, await tx.store.get(peerId))
    if (ledger.nextInSeq >= from && ledger.nextInSeq <= seq) {
      ledger.nextInSeq = seq + 1
      await tx.store.put(ledger)
    }
    await tx.done
    return ledger.nextInSeq - 1
  }

  /**
   * What this side says of the conversation in its HELLO. A conversation seen
   * for the first time gets its ledger now, with a new incarnation, so the
   * HELLO and what follows agree on it.
   */
  async ourHello (peerId: string): Promise<ReturnType<typeof ourHello>> {
    const tx = this.#db.transaction('ledgers', 'readwrite', ACKED_WRITE)
    const stored = await tx.store.get(peerId)
    const ledger = ledgerOf(peerId, stored)
    if (stored == null || stored.incarnation !== ledger.incarnation) await tx.store.put(ledger)
    await tx.done
    return ourHello(ledger)
  }

  /** Applies the peer's HELLO (see `meetHello`); the incoming side restarts with a new peer incarnation. */
  async meetHello (peerId: string, hello: Hello): Promise<HelloOutcome> {
    const tx = this.#db.transaction('ledgers', 'readwrite', ACKED_WRITE)
    const ledger = ledgerOf(peerId, await tx.store.get(peerId))
    const outcome = meetHello(ledger, hello)
    await Promise.all([tx.store.put(ledger), tx.done])
    return outcome
  }

  /** The largest message the peer said it accepts, if it said. */
  async peerMaxMessageBytes (peerId: string): Promise<number | null> {
    return (await this.#db.get('ledgers', peerId))?.peerMaxMessageBytes ?? null
  }

  /**
   * The peer acknowledged every outgoing message up to `seq` (acks are
   * cumulative): they are delivered, whatever their local state, since the
   * peer has them (a message failed here, by expiry or a close, and acked
   * late is delivered after all). Answers the messages the ack newly covers,
   * as delivered. An ack of a number never sent throws `UnsentAckError`.
   */
  async acknowledge (peerId: string, seq: number): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
    if (seq >= ledger.nextOutSeq) return await refuse(tx, new UnsentAckError(peerId, seq, ledger.nextOutSeq))
    if (seq <= ledger.ackedOutSeq) {
      await tx.done
      return []
    }
    const delivered: StoredMessage[] = []
    const bursts = tx.objectStore('bursts')
    const edits = new BurstEdits(bursts)
    // Two requests for the whole range: a cursor costs a round trip per record.
    for (const { message: { error: _, ...message }, burst } of await outgoingMessages(bursts, peerId, ledger.ackedOutSeq + 1, seq)) {
      if (message.state === 'queued') {
        ledger.pendingCount -= 1
        ledger.pendingBytes -= message.bytes
        countPending(ledger, message, -1)
      } else if (message.skipped === true) {
        // Failed, and the peer was told to skip it: the ack covers a number it passed over.
        continue
      } else {
        // Failed here (already out of the counts) but never skipped: the peer has it, so it is delivered.
        edits.replace(burst, { ...message, state: 'queued' })
      }
      delivered.push({ ...message, state: 'delivered' })
    }
    edits.write()
    ledger.ackedOutSeq = seq
    await Promise.all([tx.objectStore('ledgers').put(ledger), tx.done])
    return delivered
  }

  /**
   * Outgoing messages still pending for a peer, in sequence order, from
   * `fromSeq` on (and never before the ack point). A message after numbers
   * that are not pending (failed, or sent again under a new number) carries
   * `skipFrom`: the receiver is told to skip exactly those, and no others.
   */
  async pending (peerId: string, fromSeq = 0, maxBytes = Infinity): Promise<PendingMessage[]> {
    const tx = this.#db.transaction(['bursts', 'ledgers'])
    const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
    let expected = Math.max(fromSeq, ledger.ackedOutSeq + 1)
    const bursts = tx.objectStore('bursts')
    const out: PendingMessage[] = []
    let bytes = 0
    // Read in pages of records, one request each (a cursor costs a round trip per record), about as many as the budget takes.
    const averageBytes = ledger.pendingCount > 0 ? ledger.pendingBytes / ledger.pendingCount : 1
    const burstBytes = Math.min(MAX_BURST_BYTES, averageBytes * MAX_BURST_MESSAGES)
    const pageSize = Math.max(1, Math.min(PENDING_PAGE_BURSTS, Math.ceil(maxBytes / burstBytes) + 1))
    let page = await outgoingBursts(bursts, peerId, expected, Infinity, pageSize)
    while (page.length > 0) {
      for (const burst of page) {
        for (const message of burst.messages) {
          if (message.seq < expected || message.state !== 'queued') continue
          if (out.length > 0 && bytes + message.bytes > maxBytes) return out
          out.push(message.seq > expected ? { ...message, skipFrom: expected } : message)
          bytes += message.bytes
          expected = message.seq + 1
        }
      }
      const last = page.at(-1)!.outFirst!
      page = await bursts.index('byPeerOutSeq').getAll(IDBKeyRange.bound([peerId, last], [peerId, Infinity], true, false), pageSize)
    }
    return out
  }

  /**
   * Notes that the receiver is told to skip the failed messages from `from`
   * to `to`, before it is told: from then on an ack past them does not make
   * them delivered (had the peer stored one first, sending it again is safe:
   * it keeps its id, and the peer stores it once).
   */
  async markSkipped (peerId: string, from: number, to: number): Promise<void> {
    const tx = this.#db.transaction('bursts', 'readwrite', WRITE)
    const edits = new BurstEdits(tx.store)
    for (const { message, burst } of await outgoingMessages(tx.store, peerId, from, to)) {
      if (message.state === 'failed' && message.skipped !== true) edits.replace(burst, { ...message, skipped: true })
    }
    edits.write()
    await tx.done
  }

  /** Fails pending outgoing messages of a peer (all, or those `which` selects), releasing their share of the limits. */
  async failPending (peerId: string, errorFor: (m: StoredMessage) => SerializedError, which: (m: StoredMessage) => boolean = () => true): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
    const bursts = tx.objectStore('bursts')
    const edits = new BurstEdits(bursts)
    const changed: StoredMessage[] = []
    for (const { message, burst } of await outgoingMessages(bursts, peerId, ledger.ackedOutSeq + 1, Infinity)) {
      if (message.state !== 'queued' || !which(message)) continue
      ledger.pendingCount -= 1
      ledger.pendingBytes -= message.bytes
      countPending(ledger, message, -1)
      const updated: StoredMessage = { ...message, state: 'failed', error: errorFor(message) }
      edits.replace(burst, updated)
      changed.push(updated)
    }
    edits.write()
    if (changed.length > 0) await tx.objectStore('ledgers').put(ledger)
    await tx.done
    return changed
  }

  /** What the mailbox path needs of a conversation: how far acks and deposits got each way. */
  async mailState (peerId: string): Promise<MailState> {
    const ledger = ledgerOf(peerId, await this.#db.get('ledgers', peerId))
    return {
      ackedOutSeq: ledger.ackedOutSeq,
      mailOutSeq: Math.max(ledger.mailOutSeq ?? -1, ledger.ackedOutSeq),
      nextInSeq: ledger.nextInSeq,
      mailAckedIn: ledger.mailAckedIn ?? -1,
      mailInSentAt: ledger.mailInSentAt ?? 0
    }
  }

  /**
   * Notes a deposit: the messages among `seqs` still pending are in the
   * peer's mailbox at `relays`, and it was told we have its messages up to
   * `ackedIn`. Answers those messages as they are now stored.
   */
  async markMailed (peerId: string, seqs: number[], relays: string[], ackedIn: number, at: number): Promise<StoredMessage[]> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const ledger = ledgerOf(peerId, await tx.objectStore('ledgers').get(peerId))
    const bursts = tx.objectStore('bursts')
    const edits = new BurstEdits(bursts)
    const wanted = new Set(seqs)
    const mailed: StoredMessage[] = []
    const found = seqs.length === 0 ? [] : await outgoingMessages(bursts, peerId, Math.min(...seqs), Math.max(...seqs))
    for (const { message, burst } of found) {
      if (!wanted.has(message.seq) || message.state !== 'queued' || message.seq <= ledger.ackedOutSeq) continue
      const updated: StoredMessage = { ...message, mailbox: { relays, at } }
      edits.replace(burst, updated)
      mailed.push(updated)
    }
    edits.write()
    if (seqs.length > 0) {
      ledger.mailOutSeq = Math.max(ledger.mailOutSeq ?? -1, ...seqs)
      ledger.mailOutAt = at
    }
    ledger.mailAckedIn = Math.max(ledger.mailAckedIn ?? -1, ackedIn)
    await Promise.all([tx.objectStore('ledgers').put(ledger), tx.done])
    return mailed
  }

  /**
   * The peer, answering by mail after it had applied our last deposit (its
   * envelope says it had seen the one we sealed at `seenSentAt`), has our
   * messages only up to `ackedUpTo`: what we left after that was lost on
   * the way (a relay died, or an envelope came after a gap), so it is left
   * again from there. An answer that crossed our last deposit proves nothing.
   */
  async mailLost (peerId: string, ackedUpTo: number, seenSentAt: number): Promise<void> {
    const tx = this.#db.transaction('ledgers', 'readwrite', WRITE)
    const ledger = ledgerOf(peerId, await tx.store.get(peerId))
    if (ledger.mailOutSeq != null && ackedUpTo < ledger.mailOutSeq && seenSentAt >= (ledger.mailOutAt ?? Infinity)) {
      ledger.mailOutSeq = Math.max(ackedUpTo, ledger.ackedOutSeq)
      await tx.store.put(ledger)
    }
    await tx.done
  }

  /** Whether an envelope of the peer with this id was applied lately: a relay handing it over again is caught. */
  async mailSeen (peerId: string, id: string): Promise<boolean> {
    return (await this.#db.get('ledgers', peerId))?.mailSeen?.includes(id) === true
  }

  /** Remembers envelopes applied (the newest `MAIL_SEEN_IDS` of them), and when the newest was sealed. */
  async noteMailApplied (peerId: string, ids: string[], newestSentAt: number): Promise<void> {
    const tx = this.#db.transaction('ledgers', 'readwrite', ACKED_WRITE)
    const ledger = ledgerOf(peerId, await tx.store.get(peerId))
    ledger.mailSeen = [...(ledger.mailSeen ?? []).filter(id => !ids.includes(id)), ...ids].slice(-MAIL_SEEN_IDS)
    ledger.mailInSentAt = Math.max(ledger.mailInSentAt ?? 0, newestSentAt)
    await Promise.all([tx.store.put(ledger), tx.done])
  }

  /** Per peer, the client channels that have pending outgoing messages (Peerlink's own is not counted). */
  async pendingChannels (): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>()
    for (const ledger of await this.#db.getAll('ledgers') as PeerLedger[]) {
      const channels = Object.keys(ledger.pendingByChannel ?? {})
      if (channels.length > 0) out.set(ledger.peerId, channels)
    }
    return out
  }

  /** Peers with pending outgoing messages, and how many and how large. */
  async pendingByPeer (): Promise<Map<string, { messages: number, bytes: number }>> {
    const out = new Map<string, { messages: number, bytes: number }>()
    for (const ledger of await this.#db.getAll('ledgers') as PeerLedger[]) {
      if (ledger.pendingCount > 0) out.set(ledger.peerId, { messages: ledger.pendingCount, bytes: ledger.pendingBytes })
    }
    return out
  }
}
