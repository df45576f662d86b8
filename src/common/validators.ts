import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ValidationError } from './errors/index.ts'
import { MAX_PEER_NAME_CHARS } from './constants.ts'

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

const RELAY_TRANSPORTS = new Set(['ws', 'wss', 'tls', 'webtransport'])

/**
 * Checks a relay address: a multiaddr over WebSockets or WebTransport that
 * ends with the relay's `/p2p/<peer id>` (a browser cannot reserve a slot on
 * a relay it cannot authenticate). Returns the canonical string.
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
    throw new ValidationError(field, `"${text}" must use /ws, /wss or /webtransport: browsers reach relays only over those`)
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
