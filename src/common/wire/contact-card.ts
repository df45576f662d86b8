// src/common/wire/: what crosses the network, as both ends and the relay read it: frames, contact cards, payloads, the relay's ICE offer and the mailbox protocol.
/**
 * A contact card: how one person hands their Peerlink to another. It is one
 * line of text, `peerlink:<peer id>?a=<multiaddr>&a=<multiaddr>&t=<token>`,
 * carrying the peer id, the circuit addresses of the relays it is reserved
 * on (`/ip4/…/tcp/…/ws/p2p/<relay>/p2p-circuit/p2p/<peer>`), so a browser on
 * another relay, or on none yet, can reach it, and optionally the token that
 * lets the card's holder leave it mail there before they ever met. The same text goes into the
 * QR code and into the link to Peerlink's popup that fills in the add form.
 * `web+peerlink:` is read too: it is the form a protocol handler is given.
 */
import { MAX_CONTACT_ADDRESSES, MAX_CONTACT_CARD_CHARS } from '../constants.ts'
import { MalformedFrameError, ValidationError } from '../errors/index.ts'
import { decodeMailboxToken } from './mailbox-token.ts'
import { parsePeerAddresses, parsePeerId } from '../validators.ts'

export const CONTACT_CARD_SCHEME = 'peerlink:'
const SCHEMES = [CONTACT_CARD_SCHEME, `web+${CONTACT_CARD_SCHEME}`]
const EXAMPLE = 'peerlink:12D3KooW…?a=/ip4/…/ws/p2p/<relay>/p2p-circuit/p2p/12D3KooW…'

export interface ContactCard {
  peerId: string
  /** 1 to `MAX_CONTACT_ADDRESSES` multiaddrs, each ending in `/p2p/<peerId>`. */
  addresses: string[]
  /** The token that lets the card's holder leave mail in the owner's mailbox (base64url). */
  mailboxToken?: string
}

/** The card as one line of text. */
export function formatContactCard ({ peerId, addresses, mailboxToken }: ContactCard): string {
  // Slashes and colons are allowed in a query and keep the addresses readable.
  const encoded = addresses.map(a => `a=${encodeURIComponent(a).replace(/%2F/g, '/').replace(/%3A/g, ':')}`)
  if (mailboxToken != null) encoded.push(`t=${mailboxToken}`)
  return `${CONTACT_CARD_SCHEME}${peerId}?${encoded.join('&')}`
}

/**
 * Reads a card strictly: a valid peer id, 1 to 8 addresses that all end in
 * that peer id, at most one mailbox token, nothing else, bounded in length. Throws `ValidationError`
 * naming 'card' or the address (`addresses.2`), or `ResourceLimitError`
 * ('contact-addresses') for too many addresses.
 */
export function parseContactCard (input: unknown): ContactCard {
  if (typeof input !== 'string' || input.trim() === '') throw new ValidationError('card', `expected a contact card such as ${EXAMPLE}`)
  const text = input.trim()
  if (text.length > MAX_CONTACT_CARD_CHARS) throw new ValidationError('card', `a contact card is at most ${MAX_CONTACT_CARD_CHARS} characters`)
  const scheme = SCHEMES.find(s => text.toLowerCase().startsWith(s))
  if (scheme == null) throw new ValidationError('card', `a contact card starts with "${CONTACT_CARD_SCHEME}", as in ${EXAMPLE}`)
  const body = text.slice(scheme.length)
  if (body.includes('#')) throw new ValidationError('card', 'a contact card has no "#" part')
  const q = body.indexOf('?')
  const peerId = parsePeerId(q < 0 ? body : body.slice(0, q), 'card')
  const query = q < 0 ? '' : body.slice(q + 1)
  if (query === '') throw new ValidationError('card', 'the card carries no address: ask for a card made while its owner was reserved on a relay')
  const parts = query.split('&')
  const tokens = parts.filter(part => part.startsWith('t='))
  if (tokens.length > 1) throw new ValidationError('card', 'a card carries at most one mailbox token (t=)')
  const addresses = parts.filter(part => !part.startsWith('t=')).map((part, i) => {
    if (!part.startsWith('a=')) throw new ValidationError('card', `unexpected "${part.slice(0, 40)}": a card carries only a=<address> parts and a t=<token>`)
    try {
      return decodeURIComponent(part.slice(2))
    } catch {
      throw new ValidationError(`addresses.${i}`, 'the address is not correctly %-encoded')
    }
  })
  if (addresses.length === 0) throw new ValidationError('card', 'the card carries no address: ask for a card made while its owner was reserved on a relay')
  const card: ContactCard = { peerId, addresses: parsePeerAddresses(peerId, addresses) }
  const token = tokens[0]?.slice(2)
  if (token != null) {
    try {
      decodeMailboxToken(token)
    } catch (err) {
      if (!(err instanceof MalformedFrameError)) throw err
      throw new ValidationError('card', `its mailbox token (t=) is not 16 bytes of base64url: ${err.message}`)
    }
    card.mailboxToken = token
  }
  return card
}

/**
 * The relay part of a circuit address (`…/p2p/<relay>` before
 * `/p2p-circuit`), or undefined when the address is not one.
 */
export function circuitRelayAddress (address: string): string | undefined {
  const at = address.indexOf('/p2p-circuit')
  if (at <= 0) return undefined
  const relay = address.slice(0, at)
  return /\/p2p\/[^/]+$/.test(relay) ? relay : undefined
}

/**
 * This browser's card, from the addresses its node reports: one circuit
 * address per relay it is reserved on (the WebRTC variants collapse to
 * it), as many as a card holds. Null while it is reserved on none.
 */
export function ownContactCard (peerId: string, ownAddresses: string[], mailboxToken?: string): ContactCard | null {
  const relays = new Set(ownAddresses.map(circuitRelayAddress).filter(a => a != null))
  let addresses = [...relays].map(relay => `${relay}/p2p-circuit/p2p/${peerId}`).slice(0, MAX_CONTACT_ADDRESSES)
  const token = mailboxToken == null ? {} : { mailboxToken }
  while (addresses.length > 0 && formatContactCard({ peerId, addresses, ...token }).length > MAX_CONTACT_CARD_CHARS) addresses = addresses.slice(0, -1)
  return addresses.length === 0 ? null : { peerId, addresses, ...token }
}
