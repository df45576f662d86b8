import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import { ACK_DELAY_MS, DIAL_BUDGET_MS, MAX_CONTACT_ADDRESSES, MAX_SEQ_AHEAD, PEERLINK_PROTOCOL, STORAGE_FULL_RETRY_MS, STUCK_SWEEP_INTERVAL_MS } from '../../common/constants.ts'
import {
  MalformedFrameError, NotConnectedError, PeerDisconnectedError, PeerNotAllowedError, ResetByUserError, ResourceLimitError, StorageFullError,
  UnsentAckError
} from '../../common/errors/index.ts'
import { usablePeerAddresses } from '../../common/validators.ts'
import type { MessageFrame, PeerConnectionInfo, WorkerApi } from '../../link/apis.ts'
import { ConnectionRoutes } from '../ice/index.ts'
import { type Opened, type PeerGate, PeerReach, type RelayPool } from '../reach/index.ts'
import { FramedChannel, type CloseCause, type FramedChannelOptions } from './framed-channel.ts'
import type { InboundBudget } from './inbound-budget.ts'

/** Where inbound traffic and stream events go: the worker, over the link (plus a change signal for reports). */
export type ChannelSink = Pick<WorkerApi, 'deliver' | 'acked' | 'skipTo' | 'peerHello' | 'ourHello' | 'peerPaused' | 'peerAddresses' | 'peerClosed' | 'streamLost' | 'streamRested' | 'unknownPeerAccepted'> & {
  changed: () => void
}

export interface PeerChannelsOptions {
  node: Libp2p
  sink: ChannelSink
  relays: string[]
  /** Relays contacts are known to use, besides ours. */
  pool: RelayPool
  budget: InboundBudget
  gate: PeerGate
  onForget?: (peerId: string) => void
  /** Where this node can be reached (its circuit addresses), told to peers in HELLO. */
  ownAddresses: () => string[]
  /** Read for every new stream, so a change applies at once. */
  maxMessageBytes: () => number
  stuckMs: () => number
  writeTimeoutMs: () => number
  inactivityTimeoutMs: () => number
  /** A stream unused this long is let go with its connection (read at every sweep). */
  idleConnectionMs: () => number
  /** How often streams are checked for being stuck or idle (`STUCK_SWEEP_INTERVAL_MS` unless a test says). */
  sweepIntervalMs?: number
  dialTimeoutMs: number
  dialAttempts: number
  /** Resolves when a dial may start with the ICE servers WebRTC will use (a fresh node's first dial waits, bounded, for its relay's offer). */
  iceServersKnown?: () => Promise<void>
  log: (format: string, ...args: unknown[]) => void
}

type LiveInfo = Omit<PeerConnectionInfo, 'dialAttempts' | 'lastClose' | 'bufferedBytes' | 'rttMs' | 'rttHistoryMs'>

/**
 * One framed stream per peer: opened on demand (dialing WebRTC through the
 * relays, one dial in flight per peer) or accepted from an allowed peer.
 * Every new stream starts with a HELLO saying which sequence number we
 * expect, so the peer resends what we lack.
 */
export class PeerChannels {
  readonly #options: PeerChannelsOptions
  readonly #channels = new Map<string, FramedChannel>()
  readonly #dials = new Map<string, Promise<FramedChannel>>()
  /** Connection state per peer; the dial counter is kept apart, as it outlives each state. */
  readonly #info = new Map<string, LiveInfo>()
  readonly #dialAttempts = new Map<string, number>()
  readonly #lastClose = new Map<string, string>()
  readonly #pendingAcks = new Map<FramedChannel, number>()
  readonly #adoptWaiters = new Map<string, Set<(channel: FramedChannel) => void>>()
  /** Each stream's HELLO, written first: no MESSAGE may go out before it, since it says which conversation they belong to. */
  readonly #hellos = new WeakMap<FramedChannel, Promise<void>>()
  /** Streams on which either side said PAUSE: the HELLO that ends it comes on the same stream, so it is kept. */
  readonly #paused = new WeakSet<FramedChannel>()
  readonly #stuckSweep: RepeatingTask
  readonly #reach: PeerReach
  readonly #routes: ConnectionRoutes

  constructor (options: PeerChannelsOptions) {
    this.#options = options
    this.#routes = new ConnectionRoutes(options.log)
    this.#reach = new PeerReach({
      node: options.node,
      protocol: PEERLINK_PROTOCOL,
      relays: options.relays,
      pool: options.pool,
      attemptTimeoutMs: options.dialTimeoutMs,
      attempts: options.dialAttempts,
      isRelayed: (peerId) => {
        const channel = this.#channels.get(peerId)
        return channel?.open === true && channel.connection.limits != null && channel.stream.direction === 'outbound'
      },
      upgraded: (peerId, opened) => { this.#upgraded(peerId, opened) },
      log: options.log
    })
    // Found even when nothing new is written to the stream.
    this.#stuckSweep = repeatingTask(() => {
      const now = Date.now()
      const idleMs = options.idleConnectionMs()
      for (const channel of this.#channels.values()) {
        if (channel.resetIfStuck(now)) {
          options.gate.counters.stuckStreams++
          options.log('reset a stuck stream to %s', channel.peerId)
        } else if (channel.open && !channel.quiet && now - channel.lastUsed > idleMs && !this.#paused.has(channel) && !this.#pendingAcks.has(channel)) {
          void this.#letGo(channel, now - channel.lastUsed)
        }
      }
    }, options.sweepIntervalMs ?? STUCK_SWEEP_INTERVAL_MS)
    this.#stuckSweep.start()
  }

  /** Stops the stuck-stream sweep; the streams themselves are ended by `closeAll`. */
  stop (): void {
    this.#stuckSweep.stop()
    this.#reach.stop()
  }

  /** Closes the streams of peers that are no longer allowed (the gate has the new list). */
  allowedChanged (): void {
    for (const [peerId, channel] of this.#channels) {
      if (!this.#options.gate.isContact(peerId) && !this.#options.gate.acceptUnknownPeers) void channel.close()
    }
    this.#options.sink.changed()
  }

  /**
   * Drops what is kept about peers with no open stream: stale peers, and
   * removed contacts (a peer closed on purpose keeps it); checks each again first.
   */
  forget (peerIds: string[]): void {
    for (const peerId of peerIds) {
      if (this.#channels.get(peerId)?.open === true || this.#dials.has(peerId)) continue
      this.#info.delete(peerId)
      this.#reach.forget(peerId)
      this.#options.onForget?.(peerId)
      this.#dialAttempts.delete(peerId)
      this.#lastClose.delete(peerId)
    }
  }

  /** Peers with an open stream. */
  connectedPeers (): string[] {
    return [...this.#channels.values()].filter(c => c.open).map(c => c.peerId)
  }

  /** Connection state of every allowed peer, as the pages show it (round trips are added by the runtime). */
  snapshot (): Record<string, Omit<PeerConnectionInfo, 'rttMs' | 'rttHistoryMs'>> {
    const out: Record<string, Omit<PeerConnectionInfo, 'rttMs' | 'rttHistoryMs'>> = {}
    for (const peerId of this.#options.gate.contacts()) {
      const info: Omit<PeerConnectionInfo, 'rttMs' | 'rttHistoryMs'> = {
        state: 'idle',
        connection: null,
        ...this.#info.get(peerId),
        dialAttempts: this.#dialAttempts.get(peerId) ?? 0,
        bufferedBytes: this.#channels.get(peerId)?.bufferedBytes ?? 0
      }
      const lastClose = this.#lastClose.get(peerId)
      if (lastClose != null) info.lastClose = lastClose
      out[peerId] = info
    }
    return out
  }

  /** The protocol handler: accepts streams from allowed peers only (the gater refused the rest already). */
  readonly handleInbound = async (stream: Stream, connection: Connection): Promise<void> => {
    const peerId = connection.remotePeer.toString()
    const { gate } = this.#options
    if (!gate.isContact(peerId)) {
      if (!gate.acceptUnknownPeers) {
        this.#options.log('refused stream from %s: not an allowed peer', peerId)
        stream.abort(new PeerNotAllowedError(peerId))
        return
      }
      await this.#options.sink.unknownPeerAccepted(peerId)
    }
    this.#adopt(new FramedChannel(stream, connection, this.#channelOptions()))
  }

  /** Writes message frames in order on the open stream; never dials (the worker's policy does). */
  async sendMessages (peerId: string, frames: MessageFrame[]): Promise<void> {
    const channel = this.#channels.get(peerId)
    if (channel?.open !== true) throw new NotConnectedError(peerId)
    await this.#hellos.get(channel)
    for (const frame of frames) {
      if (frame.skipFrom != null) await channel.write({ type: 'skip', from: frame.skipFrom, seq: frame.seq - 1 })
      await channel.write({ type: 'message', seq: frame.seq, id: frame.id, body: frame.body, channel: frame.channel, kind: frame.kind })
    }
  }

  /**
   * Opens a stream to the peer unless one is open; one dial in flight per
   * peer; never over the connection limit. `addresses`: where the peer says
   * it can be reached (its relays' circuit addresses), tried besides our own relays.
   */
  async connect (peerId: string, addresses: string[] = []): Promise<void> {
    this.#reach.learn(peerId, addresses)
    const { gate } = this.#options
    if (this.#channels.get(peerId)?.open !== true && gate.overLimit(peerId)) {
      gate.counters.refusedOverLimit++
      throw new ResourceLimitError('connections', gate.maxConnections, gate.connectionCount() + 1)
    }
    await this.#channelFor(peerId)
  }

  /** Sends CLOSE, ends the stream cleanly and hangs up. */
  async closePeer (peerId: string): Promise<void> {
    const channel = this.#channels.get(peerId)
    if (channel?.open === true) {
      await channel.write({ type: 'close' }).catch(() => {})
      await channel.close()
    }
    await this.#options.node.hangUp(peerIdFromString(peerId)).catch(() => {})
    this.#setInfo(peerId, { state: 'idle', connection: null })
  }

  /**
   * Ends every stream with a FIN (not a CLOSE frame: this is a shutdown, not
   * a goodbye), so peers see a clean end and reconnect later.
   */
  async closeAll (): Promise<void> {
    await Promise.allSettled([...this.#channels.values()].map(async channel => { await channel.close() }))
  }

  /** libp2p's `peer:disconnect`: a safety net for a stream that missed its connection's end. */
  onPeerDisconnect (peerId: string): void {
    const channel = this.#channels.get(peerId)
    if (channel != null && channel.connection.status !== 'open') channel.abort(new PeerDisconnectedError(peerId))
  }

  /**
   * Lets an idle conversation's connection go: QUIET tells the peer not to
   * dial back, both ends close the stream, and the connection (its WebRTC
   * keepalives, libp2p's pings) ends. Whoever next has something to say dials.
   */
  async #letGo (channel: FramedChannel, idleMs: number): Promise<void> {
    const { peerId } = channel
    this.#options.log('letting the connection to %s go after %d s unused', peerId, Math.round(idleMs / 1000))
    channel.quiet = true
    await channel.write({ type: 'quiet' }).catch(() => {})
    await channel.close()
    await this.#hangUpIfUnused(peerId)
  }

  /** Hangs up on a peer whose stream was let go, unless a new one opened meanwhile (a message from either side). */
  async #hangUpIfUnused (peerId: string): Promise<void> {
    if (this.#channels.get(peerId)?.open === true || this.#dials.has(peerId)) return
    await this.#options.node.hangUp(peerIdFromString(peerId)).catch(() => {})
  }

  /** Resets the peer's stream; it is opened again by the next send. */
  resetPeer (peerId: string): void {
    this.#channels.get(peerId)?.abort(new ResetByUserError(peerId))
  }

  async #channelFor (peerId: string): Promise<FramedChannel> {
    const current = this.#channels.get(peerId)
    if (current?.open === true) return current
    let dial = this.#dials.get(peerId)
    if (dial == null) {
      dial = this.#open(peerId).finally(() => this.#dials.delete(peerId))
      this.#dials.set(peerId, dial)
    }
    // The peer may reach us first (it came back and dialed): use its stream at once.
    let cancel = (): void => {}
    const adopted = new Promise<FramedChannel>((resolve) => {
      const waiters = this.#adoptWaiters.get(peerId) ?? new Set()
      this.#adoptWaiters.set(peerId, waiters)
      waiters.add(resolve)
      cancel = () => { waiters.delete(resolve) }
    })
    try {
      return await Promise.race([dial, adopted])
    } finally {
      cancel()
    }
  }

  async #open (peerId: string): Promise<FramedChannel> {
    this.#setInfo(peerId, { state: 'connecting', connection: null })
    try {
      // However many relays and attempts, one connect ends within the budget its link call waits for.
      const budget = AbortSignal.timeout(DIAL_BUDGET_MS)
      // WebRTC started without ICE servers cannot cross a NAT, and the relay would carry the first messages.
      await this.#options.iceServersKnown?.()
      const { opened: { connection, stream }, via } = await this.#reach.open(peerId, budget, () => {
        this.#dialAttempts.set(peerId, (this.#dialAttempts.get(peerId) ?? 0) + 1)
      })
      // The route shown from the first moment is the one the ICE stats say.
      await this.#routes.read(connection)
      const channel = this.#adopt(new FramedChannel(stream, connection, this.#channelOptions()))
      if (via === 'relayed' && channel.connection.limits != null) this.#reach.relayed(peerId)
      return channel
    } catch (err) {
      const message = `${(err as Error).name}: ${(err as Error).message}`
      // The peer's own stream may have been taken while this dial ran: then it is connected, not failed.
      const current = this.#info.get(peerId)
      if (this.#channels.get(peerId)?.open === true && current != null) this.#setInfo(peerId, { ...current, lastError: message })
      else this.#setInfo(peerId, { state: 'failed', connection: null, lastError: message })
      throw err
    }
  }

  #adopt (channel: FramedChannel): FramedChannel {
    const previous = this.#channels.get(channel.peerId)
    if (previous?.open === true && previous !== channel && this.#preferred(previous, channel) === previous) {
      // Both peers dialed at once: they keep the same stream, and the other one ends cleanly.
      void channel.close()
      return previous
    }
    this.#channels.set(channel.peerId, channel)
    if (previous != null && previous !== channel) void previous.close()
    this.#setInfo(channel.peerId, { state: 'connected', connection: this.#routes.view(channel.connection) })
    this.#routes.watch(channel.connection, () => this.#channels.get(channel.peerId) === channel, () => {
      this.#setInfo(channel.peerId, { ...this.#info.get(channel.peerId)!, connection: this.#routes.view(channel.connection) })
    })
    this.#options.log('stream %s open to %s over %a', channel.stream.id, channel.peerId, channel.connection.remoteAddr)
    if (channel.connection.limits == null) this.#closeRelayed(channel.connection)
    for (const wake of this.#adoptWaiters.get(channel.peerId) ?? []) wake(channel)
    this.#adoptWaiters.delete(channel.peerId)
    this.#sayHello(channel)
    return channel
  }

  /**
   * A peer reached directly needs no relayed connection any more: the one
   * its WebRTC signalling came over stays open otherwise, and libp2p counts
   * it against its connection limit (100 in a browser), so 50 peers reached
   * over WebRTC held 100 connections and the next one was refused.
   */
  #closeRelayed (direct: Connection): void {
    for (const connection of this.#options.node.getConnections(direct.remotePeer)) {
      if (connection === direct || connection.limits == null || connection.status !== 'open') continue
      void connection.close().catch((err: Error) => { connection.abort(err) })
    }
  }

  /**
   * Our HELLO: the conversation as the worker keeps it, this node's limits,
   * and where it can be reached. Messages wait for it; a stream that cannot
   * say it is reset, and opened again.
   */
  #sayHello (channel: FramedChannel): void {
    const hello = this.#options.sink.ourHello(channel.peerId)
      .then(async (conversation) => {
        await channel.write({
          type: 'hello',
          hello: {
            ...conversation,
            maxMessageBytes: this.#options.maxMessageBytes(),
            inactivityTimeoutMs: this.#options.inactivityTimeoutMs(),
            addresses: this.#options.ownAddresses().slice(0, MAX_CONTACT_ADDRESSES)
          }
        })
      })
    this.#hellos.set(channel, hello)
    hello.catch((err: Error) => {
      this.#options.log('no HELLO to %s: %s', channel.peerId, err.message)
      channel.abort(err)
    })
  }

  /**
   * WebRTC came up while the peer was reached through a relay: its stream
   * replaces the relayed one (whatever the tie-break says, see `#preferred`),
   * and the relayed connection, of no more use, is closed.
   */
  #upgraded (peerId: string, { connection, stream }: Opened): void {
    const previous = this.#channels.get(peerId)
    void this.#routes.read(connection).finally(() => {
      const current = this.#adopt(new FramedChannel(stream, connection, this.#channelOptions()))
      const relayed = previous?.connection
      // Whichever direct stream won the tie-break, the relayed connection is of no more use.
      if (current.connection.limits == null && relayed?.limits != null && relayed !== current.connection) {
        this.#options.log('upgraded %s from the relay to WebRTC', peerId)
        void relayed.close().catch((err: Error) => { relayed.abort(err) })
      }
    })
  }

  /**
   * Of two open streams to one peer, one on a direct (unlimited) connection
   * beats one on a relayed connection. Otherwise the one opened by the peer
   * with the smaller id wins, so both ends choose the same; between two
   * opened by the same side (a reconnection), the newer wins.
   */
  #preferred (a: FramedChannel, b: FramedChannel): FramedChannel {
    const relayed = (c: FramedChannel): boolean => c.connection.limits != null
    if (relayed(a) !== relayed(b)) return relayed(a) ? b : a
    const self = this.#options.node.peerId.toString()
    const opener = (c: FramedChannel): string => c.stream.direction === 'outbound' ? self : c.peerId
    if (opener(a) === opener(b)) return b
    return opener(a) < opener(b) ? a : b
  }

  #channelOptions (): FramedChannelOptions {
    return {
      maxMessageBytes: this.#options.maxMessageBytes(),
      writeTimeoutMs: this.#options.writeTimeoutMs(),
      inactivityTimeoutMs: this.#options.inactivityTimeoutMs(),
      budget: this.#options.budget,
      stuckMs: this.#options.stuckMs(),
      onReject: (kind) => {
        this.#options.gate.counters[kind === 'oversize' ? 'oversizeFrames' : kind === 'flood' ? 'floodedStreams' : 'malformedFrames']++
        this.#options.sink.changed()
      },
      onMessages: this.#onMessages,
      onControl: this.#onControl,
      onClose: this.#onClose
    }
  }

  readonly #onMessages = async (frames: MessageFrame[], channel: FramedChannel): Promise<void> => {
    let ackSeq: number
    try {
      ackSeq = await this.#options.sink.deliver(channel.peerId, frames)
    } catch (err) {
      if (!(err instanceof StorageFullError)) throw err
      // Nothing was stored or acknowledged: the sender holds its messages, and hears from us again later.
      this.#options.log('storage is full; asking %s to pause', channel.peerId)
      this.#paused.add(channel)
      await channel.write({ type: 'pause', reason: 'storage-full' })
      setTimeout(() => { if (channel.open) this.#sayHello(channel) }, STORAGE_FULL_RETRY_MS)
      return
    }
    const last = frames.at(-1)!.seq
    if (last > ackSeq + MAX_SEQ_AHEAD) {
      this.#options.gate.counters.farAheadFrames++
      throw new MalformedFrameError(`sequence number ${last} is far ahead of ${ackSeq + 1}`)
    }
    // Ack only what the worker stored; a short delay lets one ack cover a burst.
    if (ackSeq < 0) return
    const scheduled = this.#pendingAcks.has(channel)
    this.#pendingAcks.set(channel, ackSeq)
    if (scheduled) return
    setTimeout(() => {
      const seq = this.#pendingAcks.get(channel)
      this.#pendingAcks.delete(channel)
      if (seq != null && channel.open) void channel.write({ type: 'ack', seq }).catch(() => {})
    }, ACK_DELAY_MS)
  }

  readonly #onControl = async (frame: Parameters<FramedChannelOptions['onControl']>[0], channel: FramedChannel): Promise<void> => {
    switch (frame.type) {
      case 'ack':
        await this.#protocolChecked(async () => { await this.#options.sink.acked(channel.peerId, frame.seq) })
        return
      case 'hello': {
        channel.peerInactivityTimeout(frame.hello.inactivityTimeoutMs)
        // Where the peer says it can be reached is kept and dialed later: only what a browser can use, checked as a card's addresses are.
        const { addresses, refused } = usablePeerAddresses(channel.peerId, frame.hello.addresses)
        if (refused > 0) {
          this.#options.gate.counters.refusedAddresses += refused
          this.#options.sink.changed()
        }
        await this.#protocolChecked(async () => { await this.#options.sink.peerHello(channel.peerId, { ...frame.hello, addresses }) })
        return
      }
      case 'pause':
        this.#paused.add(channel)
        await this.#options.sink.peerPaused(channel.peerId, frame.reason)
        return
      case 'quiet':
        // The peer lets the connection go: its end is expected, and nobody dials back for it.
        this.#options.log('%s let its idle connection to us go', channel.peerId)
        channel.quiet = true
        await channel.close()
        // Its WebRTC connection would take seconds to notice the other end is gone.
        await this.#hangUpIfUnused(channel.peerId)
        return
      case 'ping':
        return
      case 'skip': {
        const ackSeq = await this.#options.sink.skipTo(channel.peerId, frame.from, frame.seq)
        if (ackSeq >= 0 && channel.open) await channel.write({ type: 'ack', seq: ackSeq })
        return
      }
      case 'close':
        this.#options.log('%s closed the conversation', channel.peerId)
        await this.#options.sink.peerClosed(channel.peerId)
        await channel.close()
    }
  }

  /** Runs a worker call that may find the peer breaking the protocol (acking what was never sent): counted, and the stream reset. */
  async #protocolChecked (call: () => Promise<void>): Promise<void> {
    try {
      await call()
    } catch (err) {
      if (err instanceof UnsentAckError) {
        this.#options.gate.counters.protocolErrors++
        this.#options.log('protocol error from %s: %s', err.data.peerId, err.message)
      }
      throw err
    }
  }

  readonly #onClose = (cause: CloseCause, channel: FramedChannel): void => {
    const how = `${cause.local ? 'local' : 'remote'} ${cause.error == null ? 'clean close' : `error ${cause.error}`}`
    this.#options.log('stream %s to %s ended: %s %s', channel.stream.id, channel.peerId, how, cause.detail ?? '')
    this.#pendingAcks.delete(channel)
    if (this.#channels.get(channel.peerId) !== channel) return
    this.#lastClose.set(channel.peerId, `${how}${cause.detail == null ? '' : `: ${cause.detail}`}`)
    this.#channels.delete(channel.peerId)
    const info: LiveInfo = { state: 'idle', connection: null }
    if (cause.error != null) info.lastError = `${how}: ${cause.detail ?? ''}`
    if (channel.quiet) {
      info.restedAt = Date.now()
      this.#setInfo(channel.peerId, info)
      void this.#options.sink.streamRested(channel.peerId).catch(() => {})
      return
    }
    this.#setInfo(channel.peerId, info)
    void this.#options.sink.streamLost(channel.peerId).catch(() => {})
  }

  /** Kept for every peer (contacts are bounded); `snapshot` shows the allowed ones. */
  #setInfo (peerId: string, info: LiveInfo): void {
    this.#info.set(peerId, info)
    this.#options.sink.changed()
  }
}
