import type { MessageView } from '../../api/protocol.ts'
import { MAIL_KEPT_MS, MAX_FRESH_BYTES_PER_PEER } from '../../common/constants.ts'
import { DeliveryFailedError, ResourceLimitError, serializeError, ValidationError, type DeliveryFailureReason } from '../../common/errors/index.ts'
import type { Hello, PayloadKind } from '../../common/wire/frames.ts'
import { payloadBody, type Payload } from '../../common/wire/payload.ts'
import type { HelloOutcome } from './conversation-ledger.ts'
import type { MessageStore, OutboxLimits, PendingMessage, StoredMessage } from './message-store.ts'
import { messageView } from './message-view.ts'

export interface OutgoingFrame {
  seq: number
  /** The messages from here to `seq - 1` failed: the receiver is told to skip them first. */
  skipFrom?: number
  id: string
  body: Uint8Array
  channel: string
  kind: PayloadKind
}

/** A message a caller asked to send: its payload (checked by `parsePayload`) on its client's channel. */
export interface OutgoingMessage extends Payload {
  id?: string
  channel: string
}

export interface OutboxOptions {
  store: MessageStore
  /** Writes frames to the peer's open stream (each after the SKIP its `skipFrom` asks for); rejects when there is none or it broke. */
  transmit: (peerId: string, frames: OutgoingFrame[]) => Promise<void>
  /** Messages wait for a stream to the peer: the reconnection policy decides when to dial. */
  needConnection: (peerId: string) => void
  /** Every change of a message's state is announced here, with the state it changed to. */
  announce: (message: StoredMessage) => void
  /** Read at every send, so a changed limit applies at once. */
  limits: () => OutboxLimits & { maxMessageBytes: number }
  /** Read when needed, so a changed setting applies at once. */
  settings: () => { ttlMs: number, ackTimeoutMs: number, maxInFlightBytes: number, historyPerPeer: number }
  log: (format: string, ...args: unknown[]) => void
  now?: () => number
}

/** What is on the wire toward one peer; kept in memory only, since resending is always safe. */
interface PeerWindow {
  /** Highest sequence number written on the current stream; -1 when nothing is. */
  sentUpTo: number
  /**
   * The peer's ack point as this worker last heard it (an ack, or the store
   * when a message was appended): a SKIP never reaches back over it.
   */
  ackedUpTo: number
  /** Bytes per sequence number on the current stream, unacknowledged: the window. */
  inFlight: Map<number, number>
  /** Messages written at least once and not yet acknowledged (kept across streams): they are 'sent'. */
  unacked: Map<number, StoredMessage>
  /**
   * Messages appended (or sent again) in this worker and not yet written on
   * the current stream, in sequence order, at most `MAX_FRESH_BYTES_PER_PEER`.
   */
  fresh: StoredMessage[]
  freshBytes: number
  /**
   * `fresh` holds every pending message after `sentUpTo`, so the next ones
   * to write are taken from it without reading the outbox back. Set when a
   * read of the outbox finds nothing more to send; lost on a new stream, a
   * resend, or when `fresh` had to drop messages for memory.
   */
  freshExact: boolean
  /** `fresh` dropped messages since the outbox was last read: the read may not have seen them. */
  freshOverflowed: boolean
  /**
   * Counts resets: a read or a write that was under way when the window was
   * reset (a new stream, a lost one, an ack timeout) speaks of the old
   * stream, and its result is dropped.
   */
  generation: number
  flushing: boolean
  again: boolean
  /** No stream to write on: waiting for `unblock` (a reconnection or the peer's HELLO). */
  blocked: boolean
  /** The peer asked us to hold its messages (PAUSE) until its next HELLO. */
  paused: boolean
  ackTimer?: ReturnType<typeof setTimeout>
}

/**
 * The sending half of reliable delivery. Messages are stored first, then
 * written within a window of unacknowledged bytes; on every new stream (the
 * peer's HELLO), after an ack timeout, or when a stream is lost, everything
 * unacknowledged is sent again and the receiver drops what it already has.
 * With no stream to the peer, messages wait and the reconnection policy is
 * asked for one. A message fails only explicitly: the peer closed, was removed or given up,
 * or the message expired.
 */
export class Outbox {
  readonly #o: OutboxOptions
  readonly #windows = new Map<string, PeerWindow>()
  readonly #now: () => number

  constructor (options: OutboxOptions) {
    this.#o = options
    // Read late, so a clock changed after the outbox was made is the one used.
    this.#now = options.now ?? (() => Date.now())
  }

  /** Queues a message durably and starts sending it. A repeated `id` answers the stored message. */
  async send (peerId: string, message: OutgoingMessage, ttlMs?: number): Promise<MessageView> {
    const [sent] = await this.sendMany(peerId, [message], ttlMs)
    return sent!
  }

  /** Queues several messages in one transaction, all or none, and starts sending them. */
  async sendMany (peerId: string, inputs: OutgoingMessage[], ttlMs?: number): Promise<MessageView[]> {
    const limits = this.#o.limits()
    const at = this.#now()
    const ids = new Set<string>()
    const prepared = inputs.map((input, i) => {
      if (input.id != null) {
        // Two messages with one id would share one record, and the second's sequence number would be a gap.
        if (ids.has(input.id)) throw new ValidationError(inputs.length === 1 ? 'id' : `messages.${i}.id`, `the id ${input.id} appears twice`)
        ids.add(input.id)
      }
      if (input.bytes > limits.maxMessageBytes) throw new ResourceLimitError('message-bytes', limits.maxMessageBytes, input.bytes)
      const { id, ...payload } = input
      return { ...payload, id: id ?? crypto.randomUUID(), callerId: id != null, peerId, at, expiresAt: at + (ttlMs ?? this.#o.settings().ttlMs) }
    })
    const results = await this.#o.store.appendOutgoingMany(peerId, prepared, limits)
    const window = this.#window(peerId)
    for (const { message, created, ackedOutSeq } of results) {
      window.ackedUpTo = Math.max(window.ackedUpTo, ackedOutSeq)
      if (!created) continue
      this.#addFresh(window, message)
      this.#o.announce(message)
    }
    if (results.some(r => r.created)) this.flush(peerId)
    return results.map(r => this.view(r.message, r.ackedOutSeq))
  }

  /** Sends what the window allows; safe to call at any time, runs once per peer at a time. */
  flush (peerId: string): void {
    const window = this.#window(peerId)
    if (window.flushing) {
      window.again = true
      return
    }
    window.flushing = true
    void this.#flush(peerId, window).finally(() => {
      window.flushing = false
      if (window.again) {
        window.again = false
        this.flush(peerId)
      }
    })
  }

  /** Flushes every peer with pending messages (after a restart of either half). */
  async flushAll (): Promise<void> {
    for (const peerId of (await this.#o.store.pendingByPeer()).keys()) this.flush(peerId)
  }

  /** The peer acknowledged everything up to `seq`. */
  async onAck (peerId: string, seq: number): Promise<void> {
    const window = this.#window(peerId)
    // The ledger's transaction starts now, so every read after this sees the ack.
    const acknowledging = this.#o.store.acknowledge(peerId, seq)
    // The peer has stored what it acknowledges: messages this worker sent are delivered now, before our own
    // bookkeeping commits (an ack of a number we sent is never a protocol error).
    const early = window.unacked.has(seq) ? [...window.unacked.values()].filter(m => m.seq <= seq) : []
    for (const message of early) this.#o.announce({ ...message, state: 'delivered' })
    // The rest from the store: after a worker restart the window is empty.
    const told = new Set(early.map(m => m.seq))
    const delivered = await acknowledging
    window.ackedUpTo = Math.max(window.ackedUpTo, seq)
    for (const message of delivered) if (!told.has(message.seq)) this.#o.announce(message)
    if (delivered.length > 0) this.#o.store.history.grew(peerId, delivered.length, this.#o.settings().historyPerPeer, this.#o.log)
    for (const s of window.unacked.keys()) if (s <= seq) window.unacked.delete(s)
    for (const s of window.inFlight.keys()) if (s <= seq) window.inFlight.delete(s)
    this.#armAckTimer(peerId, window, true)
    this.flush(peerId)
  }

  /**
   * A new stream: applies the peer's HELLO to the conversation (a peer whose
   * side started afresh restarts our incoming state; see `meetHello`), then
   * resends at once from what it acknowledges, or, when it says nothing about
   * our messages, everything unacknowledged. Messages larger than the peer
   * accepts fail now, naming its limit, so the rest can flow.
   */
  async onHello (peerId: string, hello: Hello): Promise<HelloOutcome> {
    const outcome = await this.#o.store.meetHello(peerId, hello)
    const window = this.#window(peerId)
    this.#reset(window)
    window.blocked = false
    window.paused = false
    const limit = hello.maxMessageBytes
    const tooLarge = await this.#o.store.failPending(peerId, m => serializeError(new ResourceLimitError('peer-message-bytes', limit, m.bytes)), m => m.bytes > limit)
    this.#failed(peerId, tooLarge)
    if (outcome.ackUpTo != null) await this.onAck(peerId, outcome.ackUpTo)
    else this.flush(peerId)
    return outcome
  }

  /**
   * The peer's HELLO from its mailbox envelope: the same rules as on a
   * stream (`meetHello`, messages too large for it fail, its ack counts),
   * but a stream that may be open meanwhile keeps its window.
   */
  async onMailHello (peerId: string, hello: Hello): Promise<HelloOutcome> {
    const outcome = await this.#o.store.meetHello(peerId, hello)
    const limit = hello.maxMessageBytes
    const tooLarge = await this.#o.store.failPending(peerId, m => serializeError(new ResourceLimitError('peer-message-bytes', limit, m.bytes)), m => m.bytes > limit)
    this.#failed(peerId, tooLarge)
    if (outcome.ackUpTo != null) await this.onAck(peerId, outcome.ackUpTo)
    return outcome
  }

  /** The peer cannot take messages for now (its storage is full): hold them until its next HELLO. */
  pause (peerId: string): void {
    const window = this.#window(peerId)
    this.#reset(window)
    window.paused = true
  }

  /** Whether the peer asked us to hold its messages. */
  paused (peerId: string): boolean {
    return this.#windows.get(peerId)?.paused === true
  }

  /** Sends a failed message of `channel` again, keeping its id; answers it queued. */
  async retry (channel: string, id: string): Promise<MessageView> {
    const { message, ackedOutSeq } = await this.#o.store.requeue(channel, id, this.#o.limits())
    const window = this.#window(message.peerId)
    window.ackedUpTo = Math.max(window.ackedUpTo, ackedOutSeq)
    this.#addFresh(window, message)
    this.#o.announce(message)
    this.flush(message.peerId)
    return this.view(message, ackedOutSeq)
  }

  /** A stream to the peer is open again: send what waits. */
  unblock (peerId: string): void {
    this.#window(peerId).blocked = false
    this.flush(peerId)
  }

  /** The stream to the peer ended: what was on it may be lost, so it is sent again on the next. */
  onStreamLost (peerId: string): void {
    this.#reset(this.#window(peerId))
    this.flush(peerId)
  }

  /** Fails every pending message to the peer with `reason`. */
  async failPeer (peerId: string, reason: DeliveryFailureReason, detail = ''): Promise<void> {
    this.#reset(this.#window(peerId))
    const failed = await this.#o.store.failPending(peerId, m => serializeError(new DeliveryFailedError(m.id, peerId, reason, detail)))
    this.#failed(peerId, failed)
  }

  /**
   * Fails every pending message, to any peer, on the client channels
   * `which` selects (a client the user revoked): through the same path as
   * every other failure, so each peer's counts stay exact.
   */
  async failChannels (which: (channel: string) => boolean, reason: DeliveryFailureReason, detail: (channel: string) => string): Promise<number> {
    let count = 0
    for (const [peerId, channels] of await this.#o.store.pendingChannels()) {
      if (!channels.some(which)) continue
      const failed = await this.#o.store.failPending(peerId, m => serializeError(new DeliveryFailedError(m.id, peerId, reason, detail(m.channel))), m => which(m.channel))
      this.#failed(peerId, failed)
      count += failed.length
    }
    return count
  }

  /**
   * Fails messages that outlived their time to live; only those. A message
   * in the peer's mailbox waits there as long as a relay keeps mail: the
   * peer may fetch it any day, and failing it here would tell a falsehood.
   */
  async expire (): Promise<void> {
    const now = this.#now()
    for (const peerId of (await this.#o.store.pendingByPeer()).keys()) {
      const failed = await this.#o.store.failPending(peerId, m => serializeError(new DeliveryFailedError(m.id, peerId, 'expired')),
        m => m.expiresAt != null && m.expiresAt <= now && (m.mailbox == null || m.mailbox.at + MAIL_KEPT_MS <= now))
      this.#failed(peerId, failed)
    }
  }

  /** A stored message as pages see it, given its peer's ack point: 'sent' while written and unacknowledged. */
  view (message: StoredMessage, ackedOutSeq: number): MessageView {
    const unacked = this.#windows.get(message.peerId)?.unacked
    return messageView(message, { ackedOutSeq, sent: seq => unacked?.has(seq) === true })
  }

  /** Bytes on the wire to the peer, not yet acknowledged. */
  inFlightBytes (peerId: string): number {
    return [...(this.#windows.get(peerId)?.inFlight.values() ?? [])].reduce((a, b) => a + b, 0)
  }

  /** Drops the in-memory window of a stale peer, unless something is on the wire or being sent. */
  forget (peerId: string): void {
    const window = this.#windows.get(peerId)
    if (window == null || window.flushing || window.inFlight.size > 0 || window.unacked.size > 0) return
    clearTimeout(window.ackTimer)
    this.#windows.delete(peerId)
  }

  /** Stops every timer (tests, shutdown). */
  stop (): void {
    for (const window of this.#windows.values()) clearTimeout(window.ackTimer)
  }

  async #flush (peerId: string, window: PeerWindow): Promise<void> {
    while (true) {
      const inFlightBytes = [...window.inFlight.values()].reduce((a, b) => a + b, 0)
      const budget = this.#o.settings().maxInFlightBytes - inFlightBytes
      if (budget <= 0 || window.blocked || window.paused) return
      const generation = window.generation
      const batch = window.freshExact ? this.#freshBatch(window, budget) : await this.#readPending(peerId, window, budget)
      // Reset while the outbox was read: the batch starts from where the old stream was.
      if (window.generation !== generation) continue
      // Even one message larger than the budget goes out once nothing else is in flight.
      if (batch.length === 0 || (inFlightBytes > 0 && batch[0]!.bytes > budget)) return
      // Messages that failed leave gaps the receiver must not wait on: each is skipped, exactly.
      const frames = batch.map(m => {
        const frame: OutgoingFrame = { seq: m.seq, id: m.id, body: payloadBody(m), channel: m.channel, kind: m.kind }
        if (m.skipFrom != null) frame.skipFrom = m.skipFrom
        return frame
      })
      try {
        for (const m of batch) if (m.skipFrom != null) await this.#o.store.markSkipped(peerId, m.skipFrom, m.seq - 1)
        await this.#o.transmit(peerId, frames)
      } catch (err) {
        this.#reset(window)
        window.blocked = true
        this.#o.log('cannot send to %s yet (%s)', peerId, (err as Error).message)
        this.#o.needConnection(peerId)
        return
      }
      // Reset while this was written: everything unacknowledged goes again on the new stream, from the outbox.
      if (window.generation !== generation) continue
      for (const m of batch) {
        window.inFlight.set(m.seq, m.bytes)
        if (window.unacked.has(m.seq)) continue
        window.unacked.set(m.seq, m)
        this.#o.announce({ ...m, state: 'sent' })
      }
      window.sentUpTo = Math.max(window.sentUpTo, batch.at(-1)!.seq)
      // Written: from now on a resend reads them from the outbox.
      this.#dropFresh(window, m => m.seq <= window.sentUpTo)
      this.#armAckTimer(peerId, window, false)
    }
  }

  /**
   * The next messages to write, read from the outbox. When there is none,
   * `fresh` holds all that will come (unless it dropped some meanwhile), and
   * is used from then on.
   */
  async #readPending (peerId: string, window: PeerWindow, budget: number): Promise<PendingMessage[]> {
    window.freshOverflowed = false
    const generation = window.generation
    const batch = await this.#o.store.pending(peerId, window.sentUpTo + 1, budget)
    // Only a read of the current stream's position says nothing more is waiting.
    if (batch.length === 0 && !window.freshOverflowed && window.generation === generation) window.freshExact = true
    return batch
  }

  /**
   * The next messages to write, from memory: what the outbox would answer,
   * since `fresh` holds every pending message after the last one written (a
   * gap is a message that failed, skipped exactly as the outbox would).
   */
  #freshBatch (window: PeerWindow, budget: number): PendingMessage[] {
    const batch: PendingMessage[] = []
    // After a new stream nothing is written yet, and what the peer acknowledged is no gap: a SKIP from 0
    // made the store walk every acknowledged message (a second at 12,000) before the first write.
    let expected = Math.max(window.sentUpTo, window.ackedUpTo) + 1
    let bytes = 0
    for (const message of window.fresh) {
      if (batch.length > 0 && bytes + message.bytes > budget) break
      batch.push(message.seq > expected ? { ...message, skipFrom: expected } : message)
      bytes += message.bytes
      expected = message.seq + 1
    }
    return batch
  }

  /** Keeps a new pending message in memory; past the memory cap, the outbox is read instead. */
  #addFresh (window: PeerWindow, message: StoredMessage): void {
    window.fresh.push(message)
    window.freshBytes += message.bytes
    if (window.freshBytes <= MAX_FRESH_BYTES_PER_PEER) return
    this.#dropFresh(window, () => true)
    window.freshExact = false
    window.freshOverflowed = true
  }

  /** While anything is in flight an ack must come within the timeout, or everything goes again. */
  #armAckTimer (peerId: string, window: PeerWindow, progressed: boolean): void {
    if (window.inFlight.size === 0 || progressed) {
      clearTimeout(window.ackTimer)
      window.ackTimer = undefined
    }
    if (window.inFlight.size === 0 || window.ackTimer != null) return
    const { ackTimeoutMs } = this.#o.settings()
    window.ackTimer = setTimeout(() => {
      window.ackTimer = undefined
      this.#o.log('no ack from %s within %d ms; resending', peerId, ackTimeoutMs)
      this.#reset(window)
      this.flush(peerId)
    }, ackTimeoutMs)
  }

  #failed (peerId: string, failed: StoredMessage[]): void {
    const window = this.#window(peerId)
    const seqs = new Set(failed.map(m => m.seq))
    this.#dropFresh(window, m => seqs.has(m.seq))
    for (const message of failed) {
      window.unacked.delete(message.seq)
      window.inFlight.delete(message.seq)
      this.#o.announce(message)
    }
  }

  #dropFresh (window: PeerWindow, which: (message: StoredMessage) => boolean): void {
    window.fresh = window.fresh.filter(m => !which(m))
    window.freshBytes = window.fresh.reduce((sum, m) => sum + m.bytes, 0)
  }

  #reset (window: PeerWindow): void {
    // Everything unacknowledged goes again: that is read from the outbox.
    window.generation += 1
    window.freshExact = false
    window.sentUpTo = -1
    window.inFlight.clear()
    clearTimeout(window.ackTimer)
    window.ackTimer = undefined
  }

  #window (peerId: string): PeerWindow {
    let window = this.#windows.get(peerId)
    if (window == null) {
      window = { sentUpTo: -1, ackedUpTo: -1, inFlight: new Map(), unacked: new Map(), fresh: [], freshBytes: 0, freshExact: false, freshOverflowed: false, generation: 0, flushing: false, again: false, blocked: false, paused: false }
      this.#windows.set(peerId, window)
    }
    return window
  }
}
