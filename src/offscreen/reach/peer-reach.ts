/**
 * Everything one dial to a peer needs to know about where the peer is:
 * the relays to go through (ours, the peer's own, the pool's), WebRTC's
 * record with the peer, and the relayed fallback while WebRTC cannot connect.
 */
import type { Libp2p } from 'libp2p'
import { MAX_CONTACT_ADDRESSES, RELAYED_FALLBACK_AFTER_MS, WEBRTC_RETRY_BASE_MS, WEBRTC_RETRY_CAP_MS } from '../../common/constants.ts'
import { usablePeerAddresses } from '../../common/validators.ts'
import { openRelayedStream, openWebRTCStream, type Opened } from './dial.ts'
import { reachPeer, type Reached } from './reach.ts'
import { dialRelays, type RelayPool } from './relay-pool.ts'
import { WebRTCUpgrade } from './webrtc-upgrade.ts'

export interface PeerReachOptions {
  node: Libp2p
  protocol: string
  /** Our own relays, as configured. */
  relays: string[]
  pool: RelayPool
  attemptTimeoutMs: number
  /** Passes through the relays a relayed dial makes (a WebRTC try makes one: the relay takes over while it retries). */
  attempts: number
  /** Whether our stream to the peer runs over a relayed connection this side opened. */
  isRelayed: (peerId: string) => boolean
  /** A WebRTC stream came up after a relayed one: it should replace it. */
  upgraded: (peerId: string, opened: Opened) => void
  log: (format: string, ...args: unknown[]) => void
}

export class PeerReach {
  readonly #o: PeerReachOptions
  /** The addresses each peer was last dialed with (its relays' circuit addresses). */
  readonly #addresses = new Map<string, string[]>()
  readonly #webrtc: WebRTCUpgrade

  constructor (options: PeerReachOptions) {
    this.#o = options
    this.#webrtc = new WebRTCUpgrade({
      // Later tries are one pass through the relays: once relayed, the open relayed connection carries the signalling anyway.
      dial: async (peerId, relays, signal) => await openWebRTCStream(options.node, peerId, {
        protocol: options.protocol, relays, attemptTimeoutMs: options.attemptTimeoutMs, attempts: 1, signal, log: options.log
      }),
      isRelayed: options.isRelayed,
      upgraded: options.upgraded,
      baseMs: WEBRTC_RETRY_BASE_MS,
      capMs: WEBRTC_RETRY_CAP_MS,
      log: options.log
    })
  }

  /**
   * Where the peer can be reached, as the worker keeps it: only circuit
   * addresses a browser can use are kept (a contact's addresses may predate
   * that check); their relays join the pool, within the peer's share.
   */
  learn (peerId: string, addresses: readonly string[]): void {
    const usable = usablePeerAddresses(peerId, addresses, MAX_CONTACT_ADDRESSES).addresses
    if (usable.length === 0) return
    this.#addresses.set(peerId, usable)
    this.#o.pool.learn(peerId, usable)
  }

  /** The relays a dial to the peer goes through. */
  #relaysFor (peerId: string): string[] {
    return dialRelays(this.#o.relays, this.#addresses.get(peerId) ?? [], this.#o.pool.relays())
  }

  /** Opens a stream to the peer: WebRTC when it comes up in time, else relayed (and WebRTC keeps trying). */
  async open (peerId: string, signal: AbortSignal, onAttempt: () => void): Promise<Reached> {
    const relays = this.#relaysFor(peerId)
    const webrtc = this.#webrtc.attempt(peerId, relays)
    if (webrtc != null) onAttempt()
    const reached = await reachPeer({
      webrtc: webrtc?.opened,
      relayed: async (relayedSignal) => await openRelayedStream(this.#o.node, peerId, {
        protocol: this.#o.protocol, relays, attemptTimeoutMs: this.#o.attemptTimeoutMs, attempts: this.#o.attempts, signal: relayedSignal, onAttempt, log: this.#o.log
      }),
      headStartMs: RELAYED_FALLBACK_AFTER_MS,
      signal
    })
    // A WebRTC try this dial does not take (the relay won, or the dial failed) hands its stream over when it comes up.
    if (reached.via === 'webrtc') webrtc?.take()
    this.#o.log('reached %s %s over %a', peerId, reached.via, reached.opened.connection.remoteAddr)
    return reached
  }

  /** The peer's stream is relayed now, opened by this side: WebRTC is tried again, with backoff, until it comes up. */
  relayed (peerId: string): void {
    this.#webrtc.relayed(peerId)
  }

  forget (peerId: string): void {
    this.#addresses.delete(peerId)
    this.#o.pool.forget(peerId)
    this.#webrtc.forget(peerId)
  }

  stop (): void {
    this.#webrtc.stop()
  }
}
