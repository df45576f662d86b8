/**
 * How many connections each IP address holds, so one host cannot take the
 * relay's connections from everyone else: the connection gater refuses a new
 * one from an address already at its share. The operator's own TLS proxy is
 * exempt: every user behind it arrives from its address.
 */
import type { Connection, Libp2p, MultiaddrConnection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The IP address in `address`, or undefined for one without (a relayed or memory address). */
export function ipOf (address: Multiaddr): string | undefined {
  return address.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** Counts open connections by remote IP; refuses past `max` per address (but those in `exempt`), telling `onRefused`. */
export class ConnectionsPerIp {
  readonly #max: number
  readonly #exempt: ReadonlySet<string>
  readonly #onRefused: (ip: string) => void
  readonly #open = new Map<string, number>()

  constructor (max: number, exempt: Iterable<string>, onRefused: (ip: string) => void) {
    this.#max = max
    this.#exempt = new Set(exempt)
    this.#onRefused = onRefused
  }

  /** For libp2p's `connectionGater.denyInboundConnection`: true refuses. Connections still being set up are not counted yet. */
  deny (maConn: MultiaddrConnection): boolean {
    const ip = ipOf(maConn.remoteAddr)
    if (ip == null || this.#exempt.has(ip) || (this.#open.get(ip) ?? 0) < this.#max) return false
    this.#onRefused(ip)
    return true
  }

  /** Follows `node`'s connections as they open and close. */
  watch (node: Libp2p): void {
    node.addEventListener('connection:open', ({ detail }) => { this.#change(detail, 1) })
    node.addEventListener('connection:close', ({ detail }) => { this.#change(detail, -1) })
  }

  /** Open connections from `ip`. */
  count (ip: string): number {
    return this.#open.get(ip) ?? 0
  }

  #change (connection: Connection, by: number): void {
    const ip = ipOf(connection.remoteAddr)
    if (ip == null) return
    const count = (this.#open.get(ip) ?? 0) + by
    if (count <= 0) this.#open.delete(ip)
    else this.#open.set(ip, count)
  }
}
