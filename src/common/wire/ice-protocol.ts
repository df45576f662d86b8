/**
 * `/peerlink/ice/1.0.0`: a peer opens a stream to its relay, writes nothing,
 * and reads one length-prefixed protobuf `IceOffer`; the relay then closes.
 * Both ends use this module: the relay (relay/ice/ice-offers.ts) in Node, the
 * node's half (src/offscreen/ice-offers.ts) in the browser.
 */
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { pbStream } from '@libp2p/utils'
import { IceOfferRefusedError } from '../errors/index.ts'
import { IceOffer, type IceServer } from './ice-offer.ts'

export { IceOffer, type IceServer }

export const ICE_PROTOCOL = '/peerlink/ice/1.0.0'

/** An offer is a few hundred bytes; a relay that sends far more is not to be believed. */
export const MAX_ICE_OFFER_BYTES = 16 * 1024
export const MAX_ICE_SERVERS = 16
export const MAX_ICE_URLS_PER_SERVER = 8

/** Writes the one offer of this stream and closes our side of it (the relay's end). */
export async function writeIceOffer (stream: Stream, offer: IceOffer, options: AbortOptions = {}): Promise<void> {
  const pb = pbStream(stream).pb(IceOffer)
  await pb.write(offer, options)
  await pb.unwrap().unwrap().close(options)
}

/**
 * Reads the relay's offer from a stream opened on ICE_PROTOCOL and closes it
 * (the asking end). Rejects with IceOfferRefusedError when the status is not OK.
 */
export async function readIceOffer (stream: Stream, options: AbortOptions = {}): Promise<IceOffer> {
  const pb = pbStream(stream, { maxDataLength: MAX_ICE_OFFER_BYTES }).pb(IceOffer)
  const offer = await pb.read({
    ...options,
    limits: { servers: MAX_ICE_SERVERS, servers$: { urls: MAX_ICE_URLS_PER_SERVER } }
  })
  await pb.unwrap().unwrap().close(options)
  if (offer.status !== IceOffer.Status.OK) throw new IceOfferRefusedError(offer.status)
  return offer
}

/** Asks a relay (a connected peer, or an address to dial) for its ICE servers: one stream, one answer. */
export async function requestIceOffer (node: Pick<Libp2p, 'dialProtocol'>, relay: PeerId | Multiaddr, options: AbortOptions = {}): Promise<IceOffer> {
  const stream = await node.dialProtocol(relay, ICE_PROTOCOL, options)
  try {
    return await readIceOffer(stream, options)
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}
