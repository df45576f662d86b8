/**
 * What each IP address may take of the relay's connections, so one host
 * cannot crowd out everyone else: at most so many connections at once (open,
 * or still in their handshake, so a host that opens sockets and never
 * finishes the handshake is bounded too), and so many new ones a second. The
 * operator's own TLS proxy is exempt: every user behind it arrives from its
 * address. This replaces libp2p's own per-host rate (`inboundConnectionThreshold`),
 * which knows no proxy: behind one, it would let the whole relay take only
 * five new connections a second.
 */
import type { Connection, Libp2p, MultiaddrConnection } from '@libp2p/interface'
import { RateLimiter } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The IP address in `address`, or undefined for one without (a relayed or memory address). */
export function ipOf (address: Multiaddr): string | undefined {
  return address.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

export interface ConnectionShare {
  /** Connections one address may hold at once, open or in their handshake. */
  max: number
  /** New connections one address may open a second. */
  perSecond: number
  /** Addresses exempt from both: the operator's proxy. */
  exempt: Iterable<string>
  /** Told of each refusal, with its cause and the address. */
  onRefused: (cause: 'connections-per-ip' | 'new-connections-per-ip', ip: string) => void
}

/** Counts connections by remote IP and refuses those past their address's share. */
export class ConnectionsPerIp {
  readonly #share: ConnectionShare
  readonly #exempt: ReadonlySet<string>
  readonly #rate: RateLimiter
  readonly #open = new Map<string, number>()
  /** Connections let in and not yet open, by address, oldest first. */
  readonly #pending = new Map<string, Set<MultiaddrConnection>>()

  constructor (share: ConnectionShare) {
    this.#share = share
    this.#exempt = new Set(share.exempt)
    this.#rate = new RateLimiter({ points: share.perSecond, duration: 1 })
  }

  /** For libp2p's `connectionGater.denyInboundConnection`: true refuses. */
  deny (maConn: MultiaddrConnection): boolean {
    const ip = ipOf(maConn.remoteAddr)
    if (ip == null || this.#exempt.has(ip)) return false
    if (this.count(ip) >= this.#share.max) {
      this.#share.onRefused('connections-per-ip', ip)
      return true
    }
    try {
      this.#rate.consume(ip)
    } catch {
      this.#share.onRefused('new-connections-per-ip', ip)
      return true
    }
    const pending = this.#pending.get(ip) ?? new Set()
    this.#pending.set(ip, pending.add(maConn))
    // A handshake that fails or times out ends here; one that succeeds was moved to the open ones first.
    maConn.addEventListener('close', () => { this.#unpend(ip, maConn) }, { once: true })
    return false
  }

  /** Follows `node`'s connections as they open and close. */
  watch (node: Libp2p): void {
    node.addEventListener('connection:open', ({ detail }) => { this.#change(detail, 1) })
    node.addEventListener('connection:close', ({ detail }) => { this.#change(detail, -1) })
  }

  /** Connections from `ip`, open or in their handshake. */
  count (ip: string): number {
    return (this.#open.get(ip) ?? 0) + (this.#pending.get(ip)?.size ?? 0)
  }

  #unpend (ip: string, maConn: MultiaddrConnection): void {
    const pending = this.#pending.get(ip)
    if (pending?.delete(maConn) === true && pending.size === 0) this.#pending.delete(ip)
  }

  #change (connection: Connection, by: number): void {
    const ip = ipOf(connection.remoteAddr)
    if (ip == null) return
    // libp2p does not say which raw connection became this one: any of the address's pending ones stands for it.
    if (by > 0) {
      const oldest = this.#pending.get(ip)?.values().next().value
      if (oldest != null) this.#unpend(ip, oldest)
    }
    const count = (this.#open.get(ip) ?? 0) + by
    if (count <= 0) this.#open.delete(ip)
    else this.#open.set(ip, count)
  }
}
