/**
 * Small STUN and TURN clients for tests: a Binding request (what address does
 * the server see?) and a TURN Allocate with long-term credentials (does the
 * TURN server accept them?). Only ever aimed at servers a test started.
 */
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import {
  Attribute, MessageType, decodeXorAddress, encodeStunMessage, errorCodeOf, findAttribute, longTermKey, newTransactionId,
  parseStunMessage, type StunAttribute, type StunMessage, type TransportAddress
} from '../../../relay/stun/index.ts'

export interface Endpoint {
  host: string
  port: number
}

/** No answer came from a STUN or TURN server in time. */
export class StunTimeoutError extends Error {
  override readonly name = 'StunTimeoutError'
  constructor (readonly server: Endpoint, readonly timeoutMs: number) {
    super(`no STUN answer from ${server.host}:${server.port} within ${timeoutMs} ms`)
  }
}

/** The TURN server refused an Allocate (e.g. 401: the credential was not accepted). */
export class TurnAllocateError extends Error {
  override readonly name = 'TurnAllocateError'
  constructor (readonly code: number | undefined, readonly reason: string) {
    super(`TURN Allocate refused: ${code ?? '?'} ${reason}`)
  }
}

/** A UDP socket bound to `localPort` (0: any) on `localAddress` (all by default); close it when done. */
export async function openUdpSocket (localPort = 0, localAddress?: string): Promise<Socket> {
  const socket = createSocket('udp4')
  socket.bind(localPort, localAddress)
  await once(socket, 'listening')
  return socket
}

/** Sends a Binding Request from `socket` and answers the XOR-MAPPED-ADDRESS the server saw. */
export async function stunBinding (socket: Socket, server: Endpoint, timeoutMs = 3_000): Promise<TransportAddress> {
  const response = await transact(socket, server, { type: MessageType.BindingRequest, transactionId: newTransactionId(), attributes: [] }, {}, timeoutMs)
  const value = findAttribute(response, Attribute.XorMappedAddress)
  const mapped = value == null ? undefined : decodeXorAddress(value, response.transactionId)
  if (response.type !== MessageType.BindingSuccess || mapped == null) throw new Error(`unexpected STUN answer of type 0x${response.type.toString(16)}`)
  return mapped
}

export interface TurnAllocation {
  relayed: TransportAddress
  mapped: TransportAddress
  /** Releases the allocation (a Refresh with LIFETIME 0). */
  release: () => Promise<void>
}

/**
 * Allocates a UDP relay on a TURN server with long-term credentials, as a
 * browser does: a first unauthenticated Allocate to learn REALM and NONCE,
 * then the signed one. Rejects with TurnAllocateError when refused.
 */
export async function turnAllocate (socket: Socket, server: Endpoint, username: string, credential: string, timeoutMs = 3_000): Promise<TurnAllocation> {
  const udp = new Uint8Array([17, 0, 0, 0])
  const requested: StunAttribute = { type: Attribute.RequestedTransport, value: udp }
  const challenge = await transact(socket, server, { type: MessageType.AllocateRequest, transactionId: newTransactionId(), attributes: [requested] }, {}, timeoutMs)
  const realm = text(findAttribute(challenge, Attribute.Realm))
  const nonce = text(findAttribute(challenge, Attribute.Nonce))
  if (errorCodeOf(challenge) !== 401 || realm == null || nonce == null) throw new TurnAllocateError(errorCodeOf(challenge), 'no 401 challenge with REALM and NONCE')
  const key = longTermKey(username, realm, credential)
  const auth = (): StunAttribute[] => [
    { type: Attribute.Username, value: bytes(username) },
    { type: Attribute.Realm, value: bytes(realm) },
    { type: Attribute.Nonce, value: bytes(nonce) }
  ]
  const response = await transact(socket, server, { type: MessageType.AllocateRequest, transactionId: newTransactionId(), attributes: [requested, ...auth()] }, { integrityKey: key }, timeoutMs)
  if (response.type !== MessageType.AllocateSuccess) throw new TurnAllocateError(errorCodeOf(response), text(findAttribute(response, Attribute.ErrorCode)?.slice(4)) ?? '')
  const relayed = decodeXorAddress(findAttribute(response, Attribute.XorRelayedAddress) ?? new Uint8Array(), response.transactionId)
  const mapped = decodeXorAddress(findAttribute(response, Attribute.XorMappedAddress) ?? new Uint8Array(), response.transactionId)
  if (relayed == null || mapped == null) throw new TurnAllocateError(undefined, 'success without XOR-RELAYED-ADDRESS or XOR-MAPPED-ADDRESS')
  const release = async (): Promise<void> => {
    const zero: StunAttribute = { type: Attribute.Lifetime, value: new Uint8Array(4) }
    await transact(socket, server, { type: MessageType.RefreshRequest, transactionId: newTransactionId(), attributes: [zero, ...auth()] }, { integrityKey: key }, timeoutMs)
  }
  return { relayed, mapped, release }
}

/**
 * One request and its answer, retransmitted over UDP as RFC 5389 section 7.2.1
 * says (500 ms, doubling) until `timeoutMs` has passed.
 */
async function transact (socket: Socket, server: Endpoint, request: StunMessage, options: { integrityKey?: Uint8Array }, timeoutMs: number): Promise<StunMessage> {
  const datagram = encodeStunMessage(request, { ...options, fingerprint: true })
  const wanted = Buffer.from(request.transactionId).toString('hex')
  return await new Promise<StunMessage>((resolve, reject) => {
    let interval = 500
    let resend: NodeJS.Timeout | undefined
    const send = (): void => {
      socket.send(datagram, server.port, server.host)
      resend = setTimeout(send, interval)
      interval *= 2
    }
    const done = (): void => {
      clearTimeout(resend)
      clearTimeout(deadline)
      socket.off('message', onMessage)
    }
    const onMessage = (msg: Buffer): void => {
      const message = parseStunMessage(msg)
      if (message == null || Buffer.from(message.transactionId).toString('hex') !== wanted) return
      done()
      resolve(message)
    }
    const deadline = setTimeout(() => { done(); reject(new StunTimeoutError(server, timeoutMs)) }, timeoutMs)
    socket.on('message', onMessage)
    send()
  })
}

function bytes (value: string): Uint8Array {
  return new TextEncoder().encode(value)
}

function text (value: Uint8Array | undefined): string | undefined {
  return value == null ? undefined : new TextDecoder().decode(value)
}
