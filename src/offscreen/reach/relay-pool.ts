/**
 * Where contacts can be reached through relays: their circuit addresses
 * (`<relay>/p2p-circuit/p2p/<peer>`), the relays those name, and a small
 * pool of relays contacts are known to use, to dial through besides ours.
 */
import { CODE_P2P, CODE_P2P_CIRCUIT, multiaddr } from '@multiformats/multiaddr'
import { MAX_ADDRESS_CHARS } from '../../common/constants.ts'

/**
 * The relay a circuit address goes through (`<transport>/p2p/<relay>`), or
 * undefined for any other address: a direct one, a relay without a
 * transport to dial it by, junk.
 */
export function relayOf (address: string): string | undefined {
  if (address.length > MAX_ADDRESS_CHARS) return undefined
  let components
  try {
    components = multiaddr(address).getComponents()
  } catch {
    return undefined
  }
  const circuit = components.findIndex(c => c.code === CODE_P2P_CIRCUIT)
  // The relay part: a transport to reach it by, then its peer id.
  if (circuit < 2 || components[circuit - 1]?.code !== CODE_P2P) return undefined
  return multiaddr(components.slice(0, circuit)).toString()
}

/**
 * The circuit addresses through relays among `addresses` of `peerId`, as
 * `<relay>/p2p-circuit/p2p/<peer>` (identify lists them without the peer,
 * and with `/webrtc` for the WebRTC listener), without duplicates, at most `max`.
 */
export function circuitAddresses (peerId: string, addresses: readonly string[], max: number): string[] {
  const relays = new Set<string>()
  for (const address of addresses) {
    const relay = relayOf(address)
    if (relay != null && !relay.endsWith(`/p2p/${peerId}`)) relays.add(relay)
  }
  return [...relays].slice(0, max).map(relay => `${relay}/p2p-circuit/p2p/${peerId}`)
}

/**
 * The relays to dial a peer through, each once: ours first (we are
 * connected to them), then those its addresses name; when they name none,
 * the pool's (contacts often share a relay).
 */
export function dialRelays (ours: readonly string[], peerAddresses: readonly string[], pool: readonly string[]): string[] {
  const named = peerAddresses.map(relayOf).filter((relay): relay is string => relay != null)
  const seen = new Set<string>()
  const out: string[] = []
  for (const relay of [...ours, ...(named.length > 0 ? named : pool)]) {
    const id = relay.slice(relay.lastIndexOf('/p2p/'))
    if (seen.has(id)) continue
    seen.add(id)
    out.push(relay)
  }
  return out
}

/**
 * Relays contacts are known to use, most recently seen first, capped: a
 * contact whose own addresses are not known yet is dialed through these too.
 */
export class RelayPool {
  readonly #max: number
  /** Insertion order is recency: the oldest is the first key. */
  readonly #relays = new Map<string, string>()

  constructor (max: number) {
    this.#max = max
  }

  /** Remembers the relays named by a peer's circuit addresses. */
  learn (addresses: readonly string[]): void {
    for (const address of addresses) {
      const relay = relayOf(address)
      if (relay == null) continue
      const id = relay.slice(relay.lastIndexOf('/p2p/') + 5)
      this.#relays.delete(id)
      this.#relays.set(id, relay)
      while (this.#relays.size > this.#max) this.#relays.delete(this.#relays.keys().next().value!)
    }
  }

  /** The pool's relays, most recently seen first. */
  relays (): string[] {
    return [...this.#relays.values()].reverse()
  }

  /** Whether `peerId` is one of the pool's relays. */
  has (peerId: string): boolean {
    return this.#relays.has(peerId)
  }
}
