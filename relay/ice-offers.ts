/**
 * The relay's side of `/peerlink/ice/1.0.0`: which ICE servers it offers
 * (its own STUN responder, TURN with fresh credentials) and to whom (peers
 * holding a reservation on it).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { ICE_PROTOCOL, IceOffer, writeIceOffer, type IceServer } from '../src/common/wire/ice-protocol.ts'
import { issueTurnCredential } from './turn-credentials.ts'

export interface IceOfferConfig {
  /** The relay's own STUN responder, as browsers reach it. */
  stun?: { host: string, port: number }
  /** TURN servers sharing `secret` with the relay (coturn's static-auth-secret). */
  turn?: { urls: string[], secret: string }
  /** How long an offer (its TURN credential) stays valid. */
  ttlSeconds: number
}

const WRITE_TIMEOUT_MS = 10_000

/** The offer for one peer at `now` (ms): STUN first, then TURN with a credential labelled with the peer id. */
export function buildIceOffer (config: IceOfferConfig, peerId: string, now: number): IceOffer {
  const servers: IceServer[] = []
  if (config.stun != null) servers.push({ urls: [`stun:${urlHost(config.stun.host)}:${config.stun.port}`] })
  if (config.turn != null) {
    const { username, credential } = issueTurnCredential({ secret: config.turn.secret, ttlSeconds: config.ttlSeconds, label: peerId, now })
    servers.push({ urls: config.turn.urls, username, credential })
  }
  return { status: IceOffer.Status.OK, servers, ttlSeconds: config.ttlSeconds }
}

/** Answers ICE_PROTOCOL on `node`: the offer to peers for which `isReserved` holds, NO_RESERVATION to others. */
export async function serveIceOffers (node: Libp2p, config: IceOfferConfig, isReserved: (peer: PeerId) => boolean): Promise<void> {
  await node.handle(ICE_PROTOCOL, async (stream, connection) => {
    const peer = connection.remotePeer
    // TURN credentials cost the TURN server bandwidth: only browsers that chose this relay get them.
    const offer: IceOffer = isReserved(peer)
      ? buildIceOffer(config, peer.toString(), Date.now())
      : { status: IceOffer.Status.NO_RESERVATION, servers: [], ttlSeconds: 0 }
    try {
      await writeIceOffer(stream, offer, { signal: AbortSignal.timeout(WRITE_TIMEOUT_MS) })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  })
}

function urlHost (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
