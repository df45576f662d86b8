import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { ConnectionRequest, Counters } from '../../common/model.ts'
import { MAX_CONNECTION_REQUESTS } from '../../common/constants.ts'
import { freshCounters } from '../../common/counters.ts'
import { isPrivateAddress } from './private-address.ts'

export interface GateConfig {
  allowedPeers: string[]
  relayPeers: string[]
  /** The user's relays, as configured: the only private or loopback addresses ever dialed. */
  relayAddresses: string[]
  acceptUnknownPeers: boolean
  maxConnections: number
}

/** What the gate counts of a libp2p connection. */
export interface CountedConnection {
  remotePeer: { toString: () => string }
  status: string
}

/**
 * Who may connect, how many, and where we may dial. Unknown peers are
 * refused at the connection gater (so they cannot even signal WebRTC through
 * the relay), counted, and kept as connection requests the user can accept;
 * the user's relays are always let through. The connection limit counts
 * every open connection's peer but the user's relays: a relay from the pool
 * (one a contact named) counts like any peer, since libp2p counts it too.
 */
export class PeerGate {
  readonly counters: Counters = freshCounters()
  readonly #connections: () => Iterable<CountedConnection>
  readonly #changed: () => void
  #config: GateConfig = { allowedPeers: [], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: Infinity }
  #allowed = new Set<string>()
  #relays = new Set<string>()
  #relayAddresses = new Set<string>()
  readonly #requests = new Map<string, ConnectionRequest>()

  constructor (connections: () => Iterable<CountedConnection>, changed: () => void) {
    this.#connections = connections
    this.#changed = changed
  }

  configure (config: GateConfig): void {
    this.#config = config
    this.#allowed = new Set(config.allowedPeers)
    this.#relays = new Set(config.relayPeers)
    this.#relayAddresses = new Set(config.relayAddresses.map(canonical))
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

  /**
   * The gater's question for every address libp2p is about to dial: refuse
   * it? A private or loopback host (a WebSocket to a LAN or loopback port a
   * peer named) is dialed only when it is one of the user's relays, judged
   * by the address up to the relay's peer id. Counts what it refuses.
   */
  refuseDial (address: Multiaddr): boolean {
    if (!isPrivateAddress(address)) return false
    const components = address.getComponents()
    const relayEnd = components.findIndex(c => c.code === CODE_P2P)
    if (relayEnd >= 0 && this.#relayAddresses.has(multiaddr(components.slice(0, relayEnd + 1)).toString())) return false
    this.counters.refusedAddresses++
    this.#changed()
    return true
  }

  requests (): ConnectionRequest[] {
    return [...this.#requests.values()].sort((a, b) => b.lastAt - a.lastAt)
  }

  dismiss (peerId: string): void {
    this.#requests.delete(peerId)
    this.#changed()
  }

  #peerConnections (): Set<string> {
    const peers = new Set<string>()
    for (const connection of this.#connections()) {
      const peerId = connection.remotePeer.toString()
      if (connection.status === 'open' && !this.#relays.has(peerId)) peers.add(peerId)
    }
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

function canonical (address: string): string {
  try {
    return multiaddr(address).toString()
  } catch {
    return address
  }
}
