import type { PeerView, Status } from '../api/protocol.ts'
import { formatContactCard, ownContactCard } from '../common/wire/contact-card.ts'

/** The welcome page's steps, in the order a person takes them. */
export const WELCOME_STEPS = ['relay', 'card', 'contact', 'hello'] as const
export type WelcomeStep = typeof WELCOME_STEPS[number]

export interface WelcomeProgress {
  /** Which steps are done. */
  done: Record<WelcomeStep, boolean>
  /** How many are done. */
  count: number
  /** The first step not done yet; null once all are. */
  next: WelcomeStep | null
  /** The contact the last steps are about: the one chosen on the page, else the most recent conversation or the first contact. */
  contact: PeerView | undefined
  /** This browser's card as text, once it is reserved on a relay. */
  card: string | null
}

/**
 * Where a person stands, from the status alone, so the page shows the same
 * whether it was just opened or reopened from the options page: a relay
 * holds our reservation; the card exists (it needs that reservation); a
 * contact was added; the conversation with it has a message.
 */
export function welcomeProgress (status: Status, chosen?: string): WelcomeProgress {
  const own = status.peerId == null ? null : ownContactCard(status.peerId, status.addresses, status.cardToken === '' ? undefined : status.cardToken)
  const contact = status.peers.find(p => p.peerId === chosen) ??
    [...status.peers].sort((a, b) => (b.last?.at ?? -Infinity) - (a.last?.at ?? -Infinity))[0]
  const done: Record<WelcomeStep, boolean> = {
    relay: status.relays.some(r => r.state === 'reserved'),
    card: own != null,
    contact: contact != null,
    hello: contact?.last != null
  }
  return {
    done,
    count: WELCOME_STEPS.filter(step => done[step]).length,
    next: WELCOME_STEPS.find(step => !done[step]) ?? null,
    contact,
    card: own == null ? null : formatContactCard(own)
  }
}
