import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ResourceLimitError, ValidationError } from './errors/index.ts'
import { MAX_ADDRESS_CHARS, MAX_CONTACT_ADDRESSES, MAX_PEER_NAME_CHARS } from './constants.ts'

/** Checks a peer id string and returns it in canonical form; throws `ValidationError`. */
export function parsePeerId (value: unknown, field = 'peer id'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, 'expected a peer id such as 12D3KooW…')
  }
  try {
    return peerIdFromString(value.trim()).toString()
  } catch {
    throw new ValidationError(field, `"${value.trim()}" is not a valid libp2p peer id`)
  }
}

const RELAY_TRANSPORTS = new Set(['ws', 'wss', 'tls', 'webtransport', 'webrtc-direct'])

/**
 * Checks a relay address: a multiaddr over WebSockets, WebTransport or
 * WebRTC-direct (with its certificate's hash) that ends with the relay's
 * `/p2p/<peer id>` (a browser cannot reserve a slot on a relay it cannot
 * authenticate). Returns the canonical string.
 */
export function parseRelayAddress (value: unknown, field = 'relay address'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, 'expected a multiaddr such as /ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooW…')
  }
  const text = value.trim()
  let ma
  try {
    ma = multiaddr(text)
  } catch (err) {
    throw new ValidationError(field, `"${text}" is not a multiaddr (${(err as Error).message})`)
  }
  const components = ma.getComponents()
  if (!components.some(c => RELAY_TRANSPORTS.has(c.name))) {
    throw new ValidationError(field, `"${text}" must use /ws, /wss, /webtransport or /webrtc-direct: browsers reach relays only over those`)
  }
  if (components.some(c => c.name === 'webrtc-direct') && !components.some(c => c.name === 'certhash')) {
    throw new ValidationError(field, `"${text}" must carry the relay's /certhash/…: a browser checks the relay's certificate by it`)
  }
  const last = components.at(-1)
  if (last?.name !== 'p2p' || last.value == null) {
    throw new ValidationError(field, `"${text}" must end with /p2p/<relay peer id>`)
  }
  if (components.some(c => c.name === 'p2p-circuit')) {
    throw new ValidationError(field, `"${text}" is a relayed address; give the relay's own address`)
  }
  parsePeerId(last.value, field)
  return ma.toString()
}

/**
 * Checks where a peer can be reached: at most `MAX_CONTACT_ADDRESSES`
 * multiaddrs, each ending in `/p2p/<peerId>` (an address of someone else
 * would send our dials to them). Answers them canonical, without duplicates;
 * a bad one is named by its place (`addresses.2`).
 */
export function parsePeerAddresses (peerId: string, value: unknown, field = 'addresses'): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'expected a list of multiaddrs')
  if (value.length > MAX_CONTACT_ADDRESSES) throw new ResourceLimitError('contact-addresses', MAX_CONTACT_ADDRESSES, value.length)
  return [...new Set(value.map((address, i) => parsePeerAddress(peerId, address, `${field}.${i}`)))]
}

/**
 * What a peer says of where it can be reached (its HELLO, what identify
 * lists), never trusted: each address is checked as a card's are
 * (`parsePeerAddresses`) and kept only when it is a circuit address through
 * a relay a browser can dial, `<relay over /ws, /wss, /webtransport or /webrtc-direct>/p2p-circuit/p2p/<peerId>`:
 * nothing else reaches a browser. Answers the first `max` kept, canonical and
 * without duplicates, and how many were refused.
 */
export function usablePeerAddresses (peerId: string, addresses: readonly unknown[], max = MAX_CONTACT_ADDRESSES): { addresses: string[], refused: number } {
  const kept = new Set<string>()
  let refused = 0
  for (const [i, address] of addresses.entries()) {
    try {
      const canonical = parsePeerAddress(peerId, address, `addresses.${i}`)
      const relay = canonical.slice(0, canonical.indexOf('/p2p-circuit'))
      if (relay === '' || canonical !== `${relay}/p2p-circuit/p2p/${peerId}`) throw new ValidationError(`addresses.${i}`, 'not a circuit address')
      parseRelayAddress(relay, `addresses.${i}`)
      if (kept.size < max) kept.add(canonical)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      refused++
    }
  }
  return { addresses: [...kept], refused }
}

function parsePeerAddress (peerId: string, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, `expected a multiaddr ending in /p2p/${peerId}`)
  const text = value.trim()
  if (text.length > MAX_ADDRESS_CHARS) throw new ValidationError(field, `an address is at most ${MAX_ADDRESS_CHARS} characters`)
  let ma
  try {
    ma = multiaddr(text)
  } catch (err) {
    throw new ValidationError(field, `"${text}" is not a multiaddr (${(err as Error).message})`)
  }
  const last = ma.getComponents().at(-1)
  if (last?.name !== 'p2p' || last.value == null) throw new ValidationError(field, `"${text}" must end with /p2p/${peerId}`)
  let owner: string
  try {
    owner = peerIdFromString(last.value).toString()
  } catch {
    throw new ValidationError(field, `"${text}" does not end with a valid peer id`)
  }
  if (owner !== peerId) throw new ValidationError(field, `"${text}" is an address of another peer (${owner}), not of ${peerId}`)
  return ma.toString()
}

/** Checks an optional display name for a peer. */
export function parsePeerName (value: unknown): string {
  if (value == null) return ''
  if (typeof value !== 'string') {
    throw new ValidationError('name', 'expected text')
  }
  const name = value.trim()
  if (name.length > MAX_PEER_NAME_CHARS) {
    throw new ValidationError('name', `at most ${MAX_PEER_NAME_CHARS} characters`)
  }
  return name
}
