import { circuitRelayAddress, parseContactCard } from '../common/wire/contact-card.ts'

const CARD_PREFIX = /^(web\+)?peerlink:/i

/**
 * The contact card in what a person pasted: the card itself, or the link
 * that carries it (`…/popup/popup.html?tab&card=…`, whichever browser made
 * it); undefined when it is neither, such as a relay's address.
 */
export function cardIn (input: string): string | undefined {
  const text = input.trim()
  if (CARD_PREFIX.test(text)) return text
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  // Only the link's card is taken: whose extension the link opens does not matter here.
  const card = url.searchParams.get('card')
  return card != null && CARD_PREFIX.test(card.trim()) ? card.trim() : undefined
}

/** The relays a card's circuit addresses go through, each once; none for a card that does not read. */
export function cardRelays (card: string): string[] {
  try {
    return [...new Set(parseContactCard(card).addresses.map(circuitRelayAddress).filter(relay => relay != null))]
  } catch {
    return []
  }
}
