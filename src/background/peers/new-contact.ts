import { circuitRelayAddress, parseContactCard } from '../../common/wire/contact-card.ts'
import { ValidationError } from '../../common/errors/index.ts'
import { parsePeerAddresses, parsePeerId, parseRelayAddress } from '../../common/validators.ts'

/** Whom an `addPeer` request names, where it can be reached, and the relays that reach it. */
export interface NewContact {
  peerId: string
  addresses: string[]
  /** The relays in its circuit addresses that a browser can reserve on: a newcomer's first relays. */
  relays: string[]
  /** The card's mailbox token, if it carries one. */
  mailboxToken?: string
}

/**
 * Reads who is being added: from a contact card (a peer id given beside it
 * must match), or from a peer id with optional addresses. Throws
 * `ValidationError` naming the field, or `ResourceLimitError` for too many
 * addresses; nothing is stored yet, so a refusal changes nothing.
 */
export function parseNewContact ({ peerId, card, addresses }: { peerId?: string | undefined, card?: string | undefined, addresses?: string[] | undefined }): NewContact {
  let found: { peerId: string, addresses: string[], mailboxToken?: string }
  if (card != null) {
    if (addresses != null) throw new ValidationError('addresses', 'give either a card or addresses, not both')
    found = parseContactCard(card)
    if (peerId != null && peerId.trim() !== '' && parsePeerId(peerId) !== found.peerId) {
      throw new ValidationError('peer id', `the card is for ${found.peerId}, not ${peerId.trim()}`)
    }
  } else {
    if (peerId == null) throw new ValidationError('peer id', 'expected a peer id or a contact card')
    const id = parsePeerId(peerId)
    found = { peerId: id, addresses: parsePeerAddresses(id, addresses ?? []) }
  }
  return { ...found, relays: reservableRelays(found.addresses) }
}

/** The relays of circuit addresses that pass as relays of our own (`setRelays`' rules), without duplicates. */
function reservableRelays (addresses: string[]): string[] {
  const relays = addresses.map(circuitRelayAddress).filter(relay => relay != null).filter((relay) => {
    try {
      parseRelayAddress(relay)
      return true
    } catch {
      return false
    }
  })
  return [...new Set(relays)]
}
