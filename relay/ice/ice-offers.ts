/**
 * The relay's side of `/peerlink/ice/1.0.0`: which ICE servers it offers
 * (its own STUN responder, TURN with fresh credentials) and to whom (peers
 * holding a reservation on it; TURN only once they have held it a while,
 * and so many new credentials an hour: turn-grants.ts).
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { RateLimiter } from '@libp2p/utils'
import { ICE_PROTOCOL, IceOffer, writeIceOffer, type IceServer } from '../../src/common/wire/ice-protocol.ts'
import type { TurnGrant, TurnGrants } from './turn-grants.ts'

export interface IceOfferConfig {
  /** The relay's own STUN responder, as browsers reach it. */
  stun?: { host: string, port: number }
  /** TURN servers sharing `secret` with the relay (coturn's static-auth-secret). */
  turn?: { urls: string[], secret: string }
  /** How long an offer (its TURN credential) stays valid. */
  ttlSeconds: number
}

const WRITE_TIMEOUT_MS = 10_000

/**
 * The offer for one peer at `now` (ms): STUN first, then TURN as `turn`
 * grants it (none when the relay offers no TURN). A withheld credential
 * says when to ask again; the offer's life is then the STUN responder's.
 */
export function buildIceOffer (config: IceOfferConfig, turn: TurnGrant | undefined, now: number): IceOffer {
  const servers: IceServer[] = []
  if (config.stun != null) servers.push({ urls: [`stun:${urlHost(config.stun.host)}:${config.stun.port}`] })
  if (config.turn == null || turn == null) return { status: IceOffer.Status.OK, servers, ttlSeconds: config.ttlSeconds, turnAfterSeconds: 0 }
  if (turn.kind === 'withheld') return { status: IceOffer.Status.OK, servers, ttlSeconds: config.ttlSeconds, turnAfterSeconds: turn.retryAfterSeconds }
  const { username, credential, expiresAt } = turn.credential
  servers.push({ urls: config.turn.urls, username, credential })
  return { status: IceOffer.Status.OK, servers, ttlSeconds: Math.max(1, expiresAt - Math.floor(now / 1000)), turnAfterSeconds: 0 }
}

/**
 * When `peer`'s reservation on `relay` was made, or undefined while it holds
 * none. A reservation exists until it lapses unrefreshed, and that is what
 * counts: @libp2p/circuit-relay-v2 4.2.13 sets `expiry` when a reservation
 * is made and never moves it on a refresh (its reservation-store.js
 * `reserve()` only resets the timer that removes it), so `expiry` is its
 * first expiry, not its last, and `expiry` less the reservation TTL is when
 * it was made.
 */
export function reservationStart (relay: CircuitRelayService, reservationTtlMs: number): (peer: PeerId) => number | undefined {
  return (peer) => {
    const reservation = relay.reservations.get(peer)
    return reservation == null ? undefined : reservation.expiry.getTime() - reservationTtlMs
  }
}

/** What the ICE protocol answered since the relay started. */
export interface IceOfferCounters {
  /** Offers to reserved peers. */
  offers: number
  /** Offers that carried TURN credentials. */
  withTurn: number
  /** Peers told they hold no reservation here. */
  noReservation: number
  /** Requests over their peer's share a minute: the stream is reset unanswered. */
  limited: number
}

/** How often one peer may ask. */
export interface IceOfferRate {
  perMinute: number
  /** Told of each request refused for its peer's rate. */
  onLimited?: (peer: string) => void
}

// A browser asks when it reserves, before its offer expires and after a reconnection: a few an hour.
export const DEFAULT_ICE_OFFERS_PER_MINUTE = 10

/**
 * Answers ICE_PROTOCOL on `node`: the offer to peers holding a reservation
 * (`reservedAt` says since when), TURN as `grants` allows; NO_RESERVATION to others.
 */
export async function serveIceOffers (node: Libp2p, config: IceOfferConfig, reservedAt: (peer: PeerId) => number | undefined, grants?: TurnGrants,
  rate: IceOfferRate = { perMinute: DEFAULT_ICE_OFFERS_PER_MINUTE }): Promise<IceOfferCounters> {
  const counters: IceOfferCounters = { offers: 0, withTurn: 0, noReservation: 0, limited: 0 }
  const limiter = new RateLimiter({ points: rate.perMinute, duration: 60 })
  await node.handle(ICE_PROTOCOL, async (stream, connection) => {
    const peer = connection.remotePeer
    try {
      limiter.consume(peer.toString())
    } catch {
      counters.limited += 1
      rate.onLimited?.(peer.toString())
      stream.abort(new Error(`more than ${rate.perMinute} ICE offers a minute`))
      return
    }
    const since = reservedAt(peer)
    // TURN credentials cost the TURN server bandwidth: only browsers that chose this relay get them.
    const grant = since == null ? undefined : grants?.grant(peer.toString(), since)
    const offer: IceOffer = since == null
      ? { status: IceOffer.Status.NO_RESERVATION, servers: [], ttlSeconds: 0, turnAfterSeconds: 0 }
      : buildIceOffer(config, grant, Date.now())
    if (since == null) counters.noReservation += 1
    else counters.offers += 1
    if (grant?.kind === 'credential') counters.withTurn += 1
    try {
      await writeIceOffer(stream, offer, { signal: AbortSignal.timeout(WRITE_TIMEOUT_MS) })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  })
  return counters
}

function urlHost (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
