/**
 * STUN messages (RFC 5389) as bytes: the header, attributes, XOR'd
 * addresses, FINGERPRINT and MESSAGE-INTEGRITY. Enough for a Binding
 * responder and for test clients that probe NATs and TURN servers.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import { crc32 } from 'node:zlib'

export const MAGIC_COOKIE = 0x2112a442
export const HEADER_BYTES = 20

/** Message types (method and class packed as RFC 5389 section 6 lays them out). */
export const MessageType = {
  BindingRequest: 0x0001,
  BindingSuccess: 0x0101,
  AllocateRequest: 0x0003,
  AllocateSuccess: 0x0103,
  AllocateError: 0x0113,
  RefreshRequest: 0x0004,
  RefreshSuccess: 0x0104
} as const

export const Attribute = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  XorRelayedAddress: 0x0016,
  Realm: 0x0014,
  Nonce: 0x0015,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028
} as const

const FINGERPRINT_XOR = 0x5354554e
const INTEGRITY_BYTES = 20

export interface StunAttribute {
  type: number
  value: Uint8Array
}

export interface StunMessage {
  type: number
  /** 12 bytes. */
  transactionId: Uint8Array
  attributes: StunAttribute[]
}

export interface TransportAddress {
  family: 'IPv4' | 'IPv6'
  address: string
  port: number
}

/** A new random 96-bit transaction id. */
export function newTransactionId (): Uint8Array {
  return new Uint8Array(randomBytes(12))
}

/**
 * Reads a STUN message, or answers undefined for anything that is not one:
 * wrong first bits, no magic cookie, a length that does not match the
 * datagram, a truncated attribute or a FINGERPRINT that does not check out.
 */
export function parseStunMessage (bytes: Uint8Array): StunMessage | undefined {
  if (bytes.length < HEADER_BYTES) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const type = view.getUint16(0)
  const length = view.getUint16(2)
  // The two top bits of every STUN message are zero; that is how it is told apart from RTP and others on one port.
  if ((type & 0xc000) !== 0) return undefined
  if (view.getUint32(4) !== MAGIC_COOKIE) return undefined
  if (length % 4 !== 0 || HEADER_BYTES + length !== bytes.length) return undefined
  const attributes: StunAttribute[] = []
  let offset = HEADER_BYTES
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return undefined
    const attrType = view.getUint16(offset)
    const attrLength = view.getUint16(offset + 2)
    const end = offset + 4 + attrLength
    if (end > bytes.length) return undefined
    if (attrType === Attribute.Fingerprint) {
      if (attrLength !== 4 || end !== bytes.length) return undefined
      if (view.getUint32(offset + 4) !== fingerprintOf(bytes.subarray(0, offset))) return undefined
    }
    attributes.push({ type: attrType, value: bytes.slice(offset + 4, end) })
    offset = end + padding(attrLength)
  }
  if (offset !== bytes.length) return undefined
  return { type, transactionId: bytes.slice(8, HEADER_BYTES), attributes }
}

export interface EncodeOptions {
  /** Appends MESSAGE-INTEGRITY keyed with this (RFC 5389 section 15.4). */
  integrityKey?: Uint8Array
  /** Appends FINGERPRINT (RFC 5389 section 15.5). */
  fingerprint?: boolean
}

/** Writes a STUN message, with MESSAGE-INTEGRITY and FINGERPRINT last when asked for. */
export function encodeStunMessage (message: StunMessage, options: EncodeOptions = {}): Uint8Array {
  if (message.transactionId.length !== 12) throw new RangeError('a STUN transaction id has 12 bytes')
  let bytes = concat([header(message.type, 0, message.transactionId), ...message.attributes.map(encodeAttribute)])
  if (options.integrityKey != null) {
    // The HMAC covers the message with its length already counting MESSAGE-INTEGRITY itself.
    setLength(bytes, bytes.length - HEADER_BYTES + 4 + INTEGRITY_BYTES)
    const hmac = createHmac('sha1', options.integrityKey).update(bytes).digest()
    bytes = concat([bytes, encodeAttribute({ type: Attribute.MessageIntegrity, value: new Uint8Array(hmac) })])
  }
  if (options.fingerprint === true) {
    setLength(bytes, bytes.length - HEADER_BYTES + 8)
    const value = new Uint8Array(4)
    new DataView(value.buffer).setUint32(0, fingerprintOf(bytes))
    bytes = concat([bytes, encodeAttribute({ type: Attribute.Fingerprint, value })])
  }
  setLength(bytes, bytes.length - HEADER_BYTES)
  return bytes
}

/** The value of an XOR-MAPPED-ADDRESS or XOR-RELAYED-ADDRESS attribute for this address. */
export function encodeXorAddress (address: TransportAddress, transactionId: Uint8Array): Uint8Array {
  const raw = addressBytes(address)
  const value = new Uint8Array(4 + raw.length)
  const view = new DataView(value.buffer)
  view.setUint8(1, address.family === 'IPv4' ? 0x01 : 0x02)
  view.setUint16(2, address.port ^ (MAGIC_COOKIE >>> 16))
  const mask = xorMask(transactionId)
  for (let i = 0; i < raw.length; i++) value[4 + i] = raw[i]! ^ mask[i]!
  return value
}

/** Reads an XOR-MAPPED-ADDRESS or XOR-RELAYED-ADDRESS value; undefined when malformed. */
export function decodeXorAddress (value: Uint8Array, transactionId: Uint8Array): TransportAddress | undefined {
  if (value.length < 4) return undefined
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength)
  const family = view.getUint8(1)
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0
  if (size === 0 || value.length !== 4 + size) return undefined
  const mask = xorMask(transactionId)
  const raw = value.slice(4).map((byte, i) => byte ^ mask[i]!)
  const port = view.getUint16(2) ^ (MAGIC_COOKIE >>> 16)
  return family === 0x01
    ? { family: 'IPv4', address: raw.join('.'), port }
    : { family: 'IPv6', address: ipv6Text(raw), port }
}

/** The first attribute of that type, if any. */
export function findAttribute (message: StunMessage, type: number): Uint8Array | undefined {
  return message.attributes.find(a => a.type === type)?.value
}

/** An ERROR-CODE attribute's code (e.g. 401), if the message has one. */
export function errorCodeOf (message: StunMessage): number | undefined {
  const value = findAttribute(message, Attribute.ErrorCode)
  if (value == null || value.length < 4) return undefined
  return (value[2]! & 0x07) * 100 + value[3]!
}

/** The long-term credential key of RFC 5389 section 15.4: MD5(username ":" realm ":" password). */
export function longTermKey (username: string, realm: string, password: string): Uint8Array {
  return new Uint8Array(createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest())
}

function fingerprintOf (bytes: Uint8Array): number {
  return (crc32(bytes) ^ FINGERPRINT_XOR) >>> 0
}

function header (type: number, length: number, transactionId: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES)
  const view = new DataView(bytes.buffer)
  view.setUint16(0, type)
  view.setUint16(2, length)
  view.setUint32(4, MAGIC_COOKIE)
  bytes.set(transactionId, 8)
  return bytes
}

function encodeAttribute (attribute: StunAttribute): Uint8Array {
  const bytes = new Uint8Array(4 + attribute.value.length + padding(attribute.value.length))
  const view = new DataView(bytes.buffer)
  view.setUint16(0, attribute.type)
  view.setUint16(2, attribute.value.length)
  bytes.set(attribute.value, 4)
  return bytes
}

function setLength (bytes: Uint8Array, length: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint16(2, length)
}

function padding (length: number): number {
  return (4 - (length % 4)) % 4
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) { out.set(part, offset); offset += part.length }
  return out
}

function xorMask (transactionId: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16)
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE)
  mask.set(transactionId, 4)
  return mask
}

function addressBytes ({ family, address }: TransportAddress): Uint8Array {
  if (family === 'IPv4') {
    if (!isIPv4(address)) throw new RangeError(`not an IPv4 address: ${address}`)
    return new Uint8Array(address.split('.').map(Number))
  }
  if (!isIPv6(address)) throw new RangeError(`not an IPv6 address: ${address}`)
  return ipv6Bytes(address)
}

function ipv6Bytes (address: string): Uint8Array {
  // An IPv4-mapped tail (::ffff:1.2.3.4) becomes two more groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  let text = address
  if (v4?.[1] != null) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number]
    text = address.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail == null || tail === '' ? [] : tail.split(':')
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => { const n = parseInt(g, 16); bytes[i * 2] = n >> 8; bytes[i * 2 + 1] = n & 0xff })
  return bytes
}

function ipv6Text (bytes: Uint8Array): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  // The URL parser writes IPv6 in its canonical short form (RFC 5952), so no compression code of our own.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1)
}
