import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import type { RelayView } from '../../common/model.ts'
import { fullJitterDelay } from '../../common/timing/backoff.ts'
import { ValidationError } from '../../common/errors/index.ts'

export interface RelayKeeperOptions {
  node: Libp2p
  relays: string[]
  dialTimeoutMs: number
  /** Read at every retry, so a changed setting applies at once. */
  retryBaseMs: () => number
  retryCapMs: () => number
  changed: () => void
  /** A dial to the relay at `address` failed. */
  unreachable?: (address: string) => void
  log: (format: string, ...args: unknown[]) => void
}

/** The relay's peer id: the last `/p2p/` of its address (validated when the user gave it). */
export function relayPeerId (address: string): string {
  const peerId = multiaddr(address).getComponents().findLast(c => c.code === CODE_P2P)?.value
  if (peerId == null) throw new ValidationError('relay address', `"${address}" must end with /p2p/<relay peer id>`)
  return peerId
}

interface Relay {
  address: string
  peerId: PeerId
  attempt: number
  dialing: boolean
  timer?: ReturnType<typeof setTimeout>
  nextAttemptAt?: number
  lastError?: string
}

/**
 * Keeps a connection to every configured relay. The node listens on
 * `/p2p-circuit`, so libp2p reserves a slot on a relay as soon as it is
 * connected and identified; when a relay drops (or restarts) the keeper dials
 * it again with full-jitter backoff, and a wake makes it try at once.
 */
export class RelayKeeper {
  readonly #o: RelayKeeperOptions
  readonly #relays: Relay[]
  #stopped = false

  constructor (options: RelayKeeperOptions) {
    this.#o = options
    this.#relays = options.relays.map(address => ({
      address,
      peerId: peerIdFromString(relayPeerId(address)),
      attempt: 0,
      dialing: false
    }))
    options.node.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  /** Dials every relay now. */
  start (): void {
    for (const relay of this.#relays) void this.#dial(relay)
  }

  /** The machine woke: backoff starts over and every unconnected relay is dialed at once. */
  woke (): void {
    for (const relay of this.#relays) {
      relay.attempt = 0
      if (!this.#connected(relay)) {
        clearTimeout(relay.timer)
        relay.timer = undefined
        void this.#dial(relay)
      }
    }
  }

  stop (): void {
    this.#stopped = true
    this.#o.node.removeEventListener('peer:disconnect', this.#onDisconnect)
    for (const relay of this.#relays) clearTimeout(relay.timer)
  }

  /** Each relay as the options page shows it. */
  view (ownAddresses: string[]): RelayView[] {
    return this.#relays.map((relay) => {
      if (ownAddresses.some(a => a.includes(`/p2p/${relay.peerId.toString()}/p2p-circuit`))) {
        return { address: relay.address, state: 'reserved' }
      }
      if (relay.dialing || this.#connected(relay) || relay.timer == null) return { address: relay.address, state: 'connecting' }
      const view: RelayView = { address: relay.address, state: 'failed', error: relay.lastError ?? 'not reachable' }
      if (relay.nextAttemptAt != null) view.nextAttemptAt = relay.nextAttemptAt
      return view
    })
  }

  #connected (relay: Relay): boolean {
    return this.#o.node.getConnections(relay.peerId).some(c => c.status === 'open')
  }

  async #dial (relay: Relay): Promise<void> {
    if (this.#stopped || relay.dialing) return
    relay.dialing = true
    relay.nextAttemptAt = undefined
    this.#o.changed()
    try {
      await this.#o.node.dial(multiaddr(relay.address), { signal: AbortSignal.timeout(this.#o.dialTimeoutMs) })
      relay.attempt = 0
      relay.lastError = undefined
      this.#o.log('connected to relay %s', relay.address)
    } catch (err) {
      relay.lastError = `${(err as Error).name}: ${(err as Error).message}`
      this.#o.unreachable?.(relay.address)
      this.#retryLater(relay)
    } finally {
      relay.dialing = false
      this.#o.changed()
    }
  }

  #retryLater (relay: Relay): void {
    if (this.#stopped || relay.timer != null) return
    const delay = fullJitterDelay(relay.attempt++, this.#o.retryBaseMs(), this.#o.retryCapMs())
    relay.nextAttemptAt = Date.now() + delay
    this.#o.log('relay %s unreachable (%s); next attempt in %d ms', relay.address, relay.lastError, delay)
    relay.timer = setTimeout(() => {
      relay.timer = undefined
      void this.#dial(relay)
    }, delay)
  }

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const relay = this.#relays.find(r => r.peerId.equals(event.detail))
    if (relay == null || this.#stopped) return
    relay.lastError = 'connection to the relay was lost'
    this.#o.changed()
    this.#retryLater(relay)
  }
}
