/**
 * `/peerlink/mailbox/1.0.0`: one request, one answer per stream (each a
 * length-prefixed protobuf), between a browser and a relay that keeps mail;
 * and `/peerlink/mailbox-notice/1.0.0`, on which the relay tells a connected
 * recipient that mail arrived. Both ends use this module: the relay
 * (relay/mailbox/) in Node, the node's half (src/offscreen/mailbox/) in the browser.
 */
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { pbStream } from '@libp2p/utils'
import { MailboxRefusedError, type MailboxRefusal } from '../errors/index.ts'
import { MailboxRequest, MailboxResponse, MailNotice, type StoredEnvelope } from './mailbox.ts'

export { MailboxRequest, MailboxResponse, MailNotice, type StoredEnvelope }

export const MAILBOX_PROTOCOL = '/peerlink/mailbox/1.0.0'
export const MAIL_NOTICE_PROTOCOL = '/peerlink/mailbox-notice/1.0.0'

/** What a request or an answer may weigh besides its envelopes: ids, hashes, counts. */
const FRAMING_BYTES = 256 * 1024

/** The largest request a relay reads, for envelopes of at most `maxEnvelopeBytes`. */
export function maxRequestBytes (maxEnvelopeBytes: number): number {
  return maxEnvelopeBytes + FRAMING_BYTES
}

/** The refusal a status means, or undefined for OK. */
export function refusalOf (status: MailboxResponse.Status): MailboxRefusal | undefined {
  switch (status) {
    case MailboxResponse.Status.OK: return undefined
    case MailboxResponse.Status.NO_MAILBOX: return 'no-mailbox'
    case MailboxResponse.Status.NOT_ALLOWED: return 'not-allowed'
    case MailboxResponse.Status.ENVELOPE_TOO_LARGE: return 'envelope-too-large'
    case MailboxResponse.Status.MAILBOX_FULL_BYTES: return 'mailbox-full-bytes'
    case MailboxResponse.Status.MAILBOX_FULL_ENVELOPES: return 'mailbox-full-envelopes'
    case MailboxResponse.Status.RATE_LIMITED: return 'rate-limited'
    case MailboxResponse.Status.RELAY_FULL: return 'relay-full'
    default: return 'bad-request'
  }
}

/** The relay's end: reads the one request of a stream, at most `maxBytes` long. */
export async function readMailboxRequest (stream: Stream, maxBytes: number, options: AbortOptions = {}): Promise<MailboxRequest> {
  return await pbStream(stream, { maxDataLength: maxBytes }).pb(MailboxRequest).read(options)
}

/** The relay's end: writes the answer and closes its side. */
export async function writeMailboxResponse (stream: Stream, response: Partial<MailboxResponse>, options: AbortOptions = {}): Promise<void> {
  const pb = pbStream(stream).pb(MailboxResponse)
  await pb.write({ status: MailboxResponse.Status.OK, ...response } as MailboxResponse, options)
  await pb.unwrap().unwrap().close(options)
}

/**
 * The asking end: one request to a relay (a connected peer, or an address to
 * dial), its answer read back. A refusal rejects with MailboxRefusedError
 * naming the relay, why, and the limit and value; a relay without the
 * protocol is 'no-mailbox-service'; one that cannot be reached, 'unreachable'.
 */
export async function callMailbox (node: Pick<Libp2p, 'dialProtocol'>, relay: PeerId | Multiaddr, relayName: string, request: Partial<MailboxRequest> & Pick<MailboxRequest, 'type'>,
  maxResponseBytes: number, options: AbortOptions = {}): Promise<MailboxResponse> {
  let stream: Stream
  try {
    stream = await node.dialProtocol(relay, MAILBOX_PROTOCOL, options)
  } catch (err) {
    const name = (err as Error).name
    if (name === 'UnsupportedProtocolError') throw new MailboxRefusedError(relayName, 'no-mailbox-service')
    throw new MailboxRefusedError(relayName, 'unreachable', 0, 0, (err as Error).message)
  }
  let response: MailboxResponse
  try {
    const pb = pbStream(stream, { maxDataLength: maxResponseBytes })
    await pb.pb(MailboxRequest).write({ tokenHashes: [], recipient: '', token: new Uint8Array(0), envelope: new Uint8Array(0), after: 0, limit: 0, ids: [], ...request } as MailboxRequest, options)
    response = await pb.pb(MailboxResponse).read(options)
    await pb.unwrap().close(options).catch(() => {})
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw new MailboxRefusedError(relayName, 'unreachable', 0, 0, (err as Error).message)
  }
  const refusal = refusalOf(response.status)
  if (refusal != null) throw new MailboxRefusedError(relayName, refusal, response.limit, response.value)
  return response
}

/** The relay's end of a notice: one MailNotice, then close. */
export async function writeMailNotice (stream: Stream, notice: MailNotice, options: AbortOptions = {}): Promise<void> {
  const pb = pbStream(stream).pb(MailNotice)
  await pb.write(notice, options)
  await pb.unwrap().unwrap().close(options)
}

/** The recipient's end of a notice. */
export async function readMailNotice (stream: Stream, options: AbortOptions = {}): Promise<MailNotice> {
  const pb = pbStream(stream, { maxDataLength: 64 }).pb(MailNotice)
  const notice = await pb.read(options)
  await pb.unwrap().unwrap().close(options).catch(() => {})
  return notice
}
