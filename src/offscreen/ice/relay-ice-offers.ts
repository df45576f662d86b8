/**
 * Asks every relay this node holds a reservation on for the ICE servers it
 * offers (`/peerlink/ice/1.0.0`): as soon as the reservation is made, again
 * before the offer expires, and again after a failed request. A fresh
 * node's first dials wait (bounded) for the first offer: started without
 * ICE servers, WebRTC cannot cross a NAT, and the relay would carry them.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import {
  ICE_OFFER_REFRESH_BEFORE_EXPIRY_MS, ICE_OFFER_RETRY_MS, ICE_OFFER_TIMEOUT_MS, MIN_ICE_OFFER_REFRESH_MS, MIN_TURN_ASK_DELAY_MS
} from '../../common/constants.ts'
import { requestIceOffer } from '../../common/wire/ice-protocol.ts'
import type { IceConfig } from './ice-config.ts'
import { relayPeerId } from '../reach/index.ts'

export interface RelayIceOffersOptions {
  node: Pick<Libp2p, 'dialProtocol' | 'getMultiaddrs'>
  /** The configured relays' addresses. */
  relays: string[]
  ice: IceConfig
  changed: () => void
  log: (format: string, ...args: unknown[]) => void
}

/**
 * When to ask again for an offer valid `ttlMs`: well before it expires,
 * never in a tight loop; sooner when the relay withheld TURN for
 * `turnAfterMs` (a reservation too new for it), once that has passed.
 */
export function offerRefreshDelayMs (ttlMs: number, turnAfterMs = 0): number {
  // The margin is five minutes, or a fifth of a short offer's life.
  const refresh = Math.max(MIN_ICE_OFFER_REFRESH_MS, ttlMs - Math.min(ICE_OFFER_REFRESH_BEFORE_EXPIRY_MS, ttlMs * 0.2))
  return turnAfterMs > 0 ? Math.min(refresh, Math.max(MIN_TURN_ASK_DELAY_MS, turnAfterMs)) : refresh
}

interface Relay {
  address: string
  peerId: string
  reserved: boolean
  asking: boolean
  /** Its first ask of this node's life failed, or the relay could not be reached: no offer is coming soon. */
  firstFailed: boolean
  timer?: ReturnType<typeof setTimeout>
}

/** Keeps `ice` supplied with the offers of the relays this node is reserved on. */
export class RelayIceOffers {
  readonly #o: RelayIceOffersOptions
  readonly #relays: Relay[]
  #stopped = false
  /** An offer arrived, or every relay's first ask failed: nothing more is worth waiting for. */
  #firstSettled = false
  /** A dial waited the whole bound once: later ones do not wait. */
  #waitSpent = false
  readonly #waiting = new Set<() => void>()

  constructor (options: RelayIceOffersOptions) {
    this.#o = options
    this.#relays = options.relays.map(address => ({ address, peerId: relayPeerId(address), reserved: false, asking: false, firstFailed: false }))
    options.ice.keepOffersOf(options.relays)
  }

  /**
   * Resolves when a dial may start: at once while WebRTC has ICE servers
   * (the user's, or an offer still valid) or this node has no relay;
   * otherwise when the first offer from a relay arrives, or every relay's
   * first ask failed, or after `maxWaitMs`, the bound, which is spent once.
   */
  async serversKnown (maxWaitMs: number): Promise<void> {
    if (this.#stopped || this.#firstSettled || this.#waitSpent || this.#relays.length === 0 || this.#o.ice.view().length > 0) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#waiting.delete(done)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#waitSpent = true
        this.#o.log('no ICE offer within %d ms; dialing with the ICE servers there are', maxWaitMs)
        done()
      }, maxWaitMs)
      this.#waiting.add(done)
    })
  }

  /** Our addresses changed (`self:peer:update`): asks the relays we just got a reservation on. */
  addressesChanged (): void {
    const addresses = this.#o.node.getMultiaddrs().map(String)
    for (const relay of this.#relays) {
      const reserved = addresses.some(a => a.includes(`/p2p/${relay.peerId}/p2p-circuit`))
      const fresh = reserved && !relay.reserved
      relay.reserved = reserved
      // A new reservation (the relay may have restarted with other servers): ask now.
      if (fresh) this.#ask(relay)
    }
  }

  /** The relay keeper could not reach `address`: a dial waits for it no longer. */
  unreachable (address: string): void {
    const relay = this.#relays.find(r => r.address === address)
    if (relay == null || relay.reserved) return
    this.#firstFailed(relay)
  }

  stop (): void {
    this.#stopped = true
    for (const relay of this.#relays) clearTimeout(relay.timer)
    this.#settle()
  }

  #settle (): void {
    this.#firstSettled = true
    for (const done of [...this.#waiting]) done()
  }

  #firstFailed (relay: Relay): void {
    relay.firstFailed = true
    if (this.#relays.every(r => r.firstFailed)) this.#settle()
  }

  #ask (relay: Relay): void {
    if (this.#stopped || relay.asking) return
    clearTimeout(relay.timer)
    relay.timer = undefined
    relay.asking = true
    requestIceOffer(this.#o.node, peerIdFromString(relay.peerId), { signal: AbortSignal.timeout(ICE_OFFER_TIMEOUT_MS) }).then((offer) => {
      const ttlMs = offer.ttlSeconds * 1000
      this.#o.ice.setOffer(relay.address, offer.servers, ttlMs)
      this.#o.log('relay %s offers ICE servers %o for %d s%s', relay.address, offer.servers.map(s => s.urls.join(' ')), offer.ttlSeconds,
        offer.turnAfterSeconds > 0 ? `, TURN in ${offer.turnAfterSeconds} s` : '')
      this.#o.changed()
      this.#settle()
      this.#later(relay, offerRefreshDelayMs(ttlMs, offer.turnAfterSeconds * 1000))
    }, (err: Error) => {
      this.#o.log('no ICE offer from relay %s: %s %s', relay.address, err.name, err.message)
      this.#firstFailed(relay)
      this.#later(relay, ICE_OFFER_RETRY_MS)
    }).finally(() => { relay.asking = false })
  }

  /** Asks again after `delayMs`, if the reservation is still there then (a new one asks at once anyway). */
  #later (relay: Relay, delayMs: number): void {
    if (this.#stopped) return
    relay.timer = setTimeout(() => {
      relay.timer = undefined
      if (relay.reserved) this.#ask(relay)
    }, delayMs)
  }
}
