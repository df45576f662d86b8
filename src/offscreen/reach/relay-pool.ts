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
 * Relays contacts are known to use, most recently named first: a contact
 * whose own addresses are not known yet is dialed through these too.
 * Bounded so that no contact can fill it: at most `max` relays, each
 * contact placing at most `perPeer` (the first its addresses name); a relay
 * leaves when no contact names it any more (they name others, or are
 * forgotten), or when newer ones push it out, least recently named first.
 */
export class RelayPool {
  readonly #max: number
  readonly #perPeer: number
  /** By relay peer id; insertion order is recency: the least recently named is the first key. */
  readonly #relays = new Map<string, { address: string, namedBy: Set<string> }>()
  /** The relays each contact holds in the pool. */
  readonly #shares = new Map<string, string[]>()

  constructor (max: number, perPeer: number) {
    this.#max = max
    this.#perPeer = perPeer
  }

  /** The relays named by `peerId`'s circuit addresses: the first `perPeer` become its share, replacing its last. */
  learn (peerId: string, addresses: readonly string[]): void {
    const named = new Map<string, string>()
    for (const address of addresses) {
      const relay = relayOf(address)
      if (relay == null) continue
      const id = relay.slice(relay.lastIndexOf('/p2p/') + 5)
      if (!named.has(id) && named.size < this.#perPeer) named.set(id, relay)
    }
    if (named.size === 0) return
    for (const id of this.#shares.get(peerId) ?? []) if (!named.has(id)) this.#release(id, peerId)
    for (const [id, address] of named) {
      const entry = this.#relays.get(id) ?? { address, namedBy: new Set<string>() }
      entry.namedBy.add(peerId)
      this.#relays.delete(id)
      this.#relays.set(id, entry)
    }
    this.#shares.set(peerId, [...named.keys()])
    while (this.#relays.size > this.#max) this.#evict(this.#relays.keys().next().value!)
  }

  /** The peer is forgotten: the relays only it named leave. */
  forget (peerId: string): void {
    for (const id of this.#shares.get(peerId) ?? []) this.#release(id, peerId)
    this.#shares.delete(peerId)
  }

  /** The pool's relays, most recently named first. */
  relays (): string[] {
    return [...this.#relays.values()].map(entry => entry.address).reverse()
  }

  #release (id: string, peerId: string): void {
    const entry = this.#relays.get(id)
    entry?.namedBy.delete(peerId)
    if (entry?.namedBy.size === 0) this.#relays.delete(id)
  }

  #evict (id: string): void {
    for (const peerId of this.#relays.get(id)?.namedBy ?? []) {
      const share = this.#shares.get(peerId)?.filter(other => other !== id) ?? []
      if (share.length === 0) this.#shares.delete(peerId)
      else this.#shares.set(peerId, share)
    }
    this.#relays.delete(id)
  }
}
