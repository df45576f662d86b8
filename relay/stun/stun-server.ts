/**
 * The relay's STUN responder: answers Binding Requests (RFC 5389) over UDP
 * with the address it saw them come from, so a browser behind a NAT learns
 * its public address and port (its server-reflexive ICE candidate).
 */
import { createSocket, type RemoteInfo } from 'node:dgram'
import { isIPv4 } from 'node:net'
import { RateLimiter } from '@libp2p/utils'
import { Attribute, MessageType, encodeStunMessage, encodeXorAddress, parseStunMessage, type TransportAddress } from './stun-message.ts'

export interface StunServerOptions {
  host: string
  /** 0 takes any free port. */
  port: number
  /** Answers one source address gets per second; past that its requests go unanswered, so the responder is no amplifier. */
  answersPerSecond?: number
  /** Told of each request left unanswered for its source's rate (the relay logs and counts them). */
  onLimited?: (source: string) => void
}

/** What the responder did since it started. */
export interface StunCounters {
  answered: number
  /** Datagrams that were not a well-formed Binding Request. */
  ignored: number
  /** Binding Requests over their source's share of answers per second. */
  limited: number
}

export interface StunServer {
  readonly host: string
  readonly port: number
  readonly counters: Readonly<StunCounters>
  close: () => Promise<void>
}

/** Answers one source address gets per second unless the relay says otherwise; a browser's ICE gathering asks a few times. */
export const DEFAULT_STUN_ANSWERS_PER_SECOND = 20

/** The STUN responder could not bind its UDP port. */
export class StunBindError extends Error {
  override readonly name = 'StunBindError'
  constructor (readonly host: string, readonly port: number, cause: unknown) {
    super(`STUN: cannot listen on udp ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

/**
 * The answer to one datagram: a Binding Success Response carrying the sender's
 * address, or undefined for anything that is not a well-formed Binding Request
 * (responses, indications, other methods, classic RFC 3489 STUN, junk).
 */
export function bindingResponse (datagram: Uint8Array, from: TransportAddress): Uint8Array | undefined {
  const request = parseStunMessage(datagram)
  if (request?.type !== MessageType.BindingRequest) return undefined
  return encodeStunMessage({
    type: MessageType.BindingSuccess,
    transactionId: request.transactionId,
    attributes: [{ type: Attribute.XorMappedAddress, value: encodeXorAddress(from, request.transactionId) }]
  }, { fingerprint: true })
}

/** Starts a STUN Binding responder on udp host:port. */
export async function startStunServer (options: StunServerOptions): Promise<StunServer> {
  const socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' })
  const counters: StunCounters = { answered: 0, ignored: 0, limited: 0 }
  // By source address only: a flood from one host takes many ports.
  const rate = new RateLimiter({ points: options.answersPerSecond ?? DEFAULT_STUN_ANSWERS_PER_SECOND, duration: 1 })
  socket.on('message', (datagram, rinfo) => {
    const from = senderOf(rinfo)
    const response = bindingResponse(datagram, from)
    if (response == null) {
      counters.ignored += 1
      return
    }
    try {
      rate.consume(from.address)
    } catch {
      counters.limited += 1
      options.onLimited?.(from.address)
      return
    }
    counters.answered += 1
    socket.send(response, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => { reject(new StunBindError(options.host, options.port, err)) })
    socket.bind(options.port, options.host, () => { resolve() })
  })
  // Once bound, a send that fails (say, an unreachable client) must not take the relay down.
  socket.on('error', () => {})
  const { port } = socket.address()
  return {
    host: options.host,
    port,
    counters,
    close: async () => { await new Promise<void>(resolve => socket.close(() => { resolve() })) }
  }
}

function senderOf (rinfo: RemoteInfo): TransportAddress {
  // A dual-stack socket reports an IPv4 sender as ::ffff:a.b.c.d; the client wants to see its IPv4 address.
  const mapped = rinfo.address.startsWith('::ffff:') ? rinfo.address.slice(7) : undefined
  if (mapped != null && isIPv4(mapped)) return { family: 'IPv4', address: mapped, port: rinfo.port }
  return { family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4', address: rinfo.address, port: rinfo.port }
}
