import type { ConnectionRequest, Counters } from '../../common/model.ts'
import { MAX_CONNECTION_REQUESTS } from '../../common/constants.ts'
import { freshCounters } from '../../common/counters.ts'

export interface GateConfig {
  allowedPeers: string[]
  relayPeers: string[]
  acceptUnknownPeers: boolean
  maxConnections: number
}

/**
 * Who may connect, and how many. Unknown peers are refused at the
 * connection gater (so they cannot even signal WebRTC through the relay),
 * counted, and kept as connection requests the user can accept; relays are
 * always let through. The connection limit counts peers, not relays.
 */
export class PeerGate {
  readonly counters: Counters = freshCounters()
  readonly #connectedPeers: () => Set<string>
  readonly #changed: () => void
  #config: GateConfig = { allowedPeers: [], relayPeers: [], acceptUnknownPeers: false, maxConnections: Infinity }
  #allowed = new Set<string>()
  #relays = new Set<string>()
  readonly #requests = new Map<string, ConnectionRequest>()

  constructor (connectedPeers: () => Set<string>, changed: () => void) {
    this.#connectedPeers = connectedPeers
    this.#changed = changed
  }

  configure (config: GateConfig): void {
    this.#config = config
    this.#allowed = new Set(config.allowedPeers)
    this.#relays = new Set(config.relayPeers)
    for (const peerId of this.#allowed) this.#requests.delete(peerId)
    this.#changed()
  }

  get maxConnections (): number {
    return this.#config.maxConnections
  }

  get acceptUnknownPeers (): boolean {
    return this.#config.acceptUnknownPeers
  }

  contacts (): string[] {
    return [...this.#allowed]
  }

  isContact (peerId: string): boolean {
    return this.#allowed.has(peerId)
  }

  isRelay (peerId: string): boolean {
    return this.#relays.has(peerId)
  }

  /** True when one more peer, `peerId`, would go over the connection limit. */
  overLimit (peerId: string): boolean {
    const peers = this.#peerConnections()
    return !peers.has(peerId) && peers.size >= this.#config.maxConnections
  }

  /** Open connections to peers, relays not counted. */
  connectionCount (): number {
    return this.#peerConnections().size
  }

  /** The gater's question for an inbound connection: refuse it? Records why. */
  refuseInbound (peerId: string): boolean {
    if (this.#relays.has(peerId)) return false
    if (!this.#allowed.has(peerId) && !this.#config.acceptUnknownPeers) {
      this.counters.refusedPeers++
      this.#request(peerId)
      return true
    }
    if (this.overLimit(peerId)) {
      this.counters.refusedOverLimit++
      this.#changed()
      return true
    }
    return false
  }

  /** Mail came from an unknown peer (it holds our card's token): listed as a request for the user to accept. */
  mailFrom (peerId: string): void {
    if (!this.#allowed.has(peerId)) this.#request(peerId)
  }

  requests (): ConnectionRequest[] {
    return [...this.#requests.values()].sort((a, b) => b.lastAt - a.lastAt)
  }

  dismiss (peerId: string): void {
    this.#requests.delete(peerId)
    this.#changed()
  }

  #peerConnections (): Set<string> {
    const peers = this.#connectedPeers()
    for (const relay of this.#relays) peers.delete(relay)
    return peers
  }

  #request (peerId: string): void {
    const now = Date.now()
    const existing = this.#requests.get(peerId)
    this.#requests.delete(peerId)
    this.#requests.set(peerId, { peerId, attempts: (existing?.attempts ?? 0) + 1, firstAt: existing?.firstAt ?? now, lastAt: now })
    // Bounded: the oldest request goes first. A flood of ids cannot grow memory.
    while (this.#requests.size > MAX_CONNECTION_REQUESTS) this.#requests.delete(this.#requests.keys().next().value!)
    this.#changed()
  }
}
