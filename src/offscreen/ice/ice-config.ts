/**
 * The ICE servers WebRTC uses, decided for every new connection: the
 * user's when the user set any, otherwise every server the relays offered
 * that is still valid. Nothing else, ever: no public default.
 */
import { parseIceUrl } from '../../common/ice-servers.ts'
import type { IceServerView } from '../../common/model.ts'

/** An ICE server as WebRTC takes it, `urls` always a list. */
export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

/** The servers one relay offered, and until when they hold (TURN credentials expire). */
export interface RelayOffer {
  relay: string
  servers: IceServer[]
  /** Milliseconds since the epoch. */
  expiresAt: number
}

export interface IceServerInUse {
  server: IceServer
  source: 'user' | 'relay'
  relay?: string
}

/**
 * What a relay offered that WebRTC can take: URLs that parse as stun:,
 * stuns:, turn: or turns:, and TURN only with its credentials. One bad
 * entry would make `new RTCPeerConnection()` throw, and every dial fail.
 */
export function usableServers (servers: readonly IceServer[]): IceServer[] {
  const usable: IceServer[] = []
  for (const server of servers) {
    const urls = server.urls.filter(url => !('problem' in parseIceUrl(url)))
    const turn = urls.some(url => /^turns?:/i.test(url))
    if (urls.length === 0 || (turn && (server.username == null || server.credential == null))) continue
    usable.push(turn ? { urls, username: server.username, credential: server.credential } : { urls })
  }
  return usable
}

/** The servers in use at `now`: the user's, or else the union of the offers not yet expired, each server once. */
export function iceServersInUse (user: readonly IceServer[], offers: Iterable<RelayOffer>, now: number): IceServerInUse[] {
  if (user.length > 0) return user.map(server => ({ server, source: 'user' }))
  const seen = new Set<string>()
  const inUse: IceServerInUse[] = []
  for (const offer of offers) {
    if (offer.expiresAt <= now) continue
    for (const server of offer.servers) {
      const key = JSON.stringify([server.urls, server.username ?? null])
      if (seen.has(key)) continue
      seen.add(key)
      inUse.push({ server, source: 'relay', relay: offer.relay })
    }
  }
  return inUse
}

/** The user's ICE servers and the relays' offers, as the node holds them. */
export class IceConfig {
  #user: IceServer[] = []
  readonly #offers = new Map<string, RelayOffer>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  /** The user's servers (from the settings); they apply to the next connection. */
  setUser (servers: ReadonlyArray<{ urls: string | string[], username?: string, credential?: string }>): void {
    this.#user = servers.map(({ urls, username, credential }) => ({
      urls: [urls].flat(),
      ...(username == null ? {} : { username }),
      ...(credential == null ? {} : { credential })
    }))
  }

  /** Keeps what `relay` offered (what WebRTC can take of it), for `ttlMs`. */
  setOffer (relay: string, servers: readonly IceServer[], ttlMs: number): void {
    this.#offers.set(relay, { relay, servers: usableServers(servers), expiresAt: this.#now() + ttlMs })
  }

  /** Forgets the offers of relays no longer configured. */
  keepOffersOf (relays: readonly string[]): void {
    for (const relay of this.#offers.keys()) if (!relays.includes(relay)) this.#offers.delete(relay)
  }

  /** What the status shows: the servers in use, where each came from, never a credential. */
  view (): IceServerView[] {
    return iceServersInUse(this.#user, this.#offers.values(), this.#now()).map(({ server, source, relay }) => ({
      urls: [...server.urls],
      source,
      ...(relay == null ? {} : { relay })
    }))
  }

  /**
   * @libp2p/webrtc's `rtcConfiguration`, which it calls for every new peer
   * connection: the servers in use now, so new offers and settings apply
   * without restarting the node.
   *
   * `iceServers` is always there, `[]` when there is none: @libp2p/webrtc
   * 6.0.33 fills a missing one with public STUN servers (Google, Twilio,
   * Cloudflare, Mozilla: `getRtcConfiguration` in dist/src/util.js, the list
   * in dist/src/constants.js), and Peerlink must never contact a server the
   * user did not choose. This is the one place that guards against it.
   */
  readonly rtcConfiguration = async (): Promise<RTCConfiguration> => ({
    iceServers: iceServersInUse(this.#user, this.#offers.values(), this.#now()).map(({ server }) => ({ ...server, urls: [...server.urls] }))
  })
}
