import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { formatContactCard, ownContactCard } from '../common/wire/contact-card.ts'
import { makeCardBlock } from '../ui/card-block.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

/**
 * This browser's own contact card, to share without opening the options
 * page: the text with a copy button, the link, and the QR code. Shown once
 * the node is reserved on a relay (a card without an address reaches no one).
 */
export function mountCardPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const block = makeCardBlock('own-card', signal)
  const none = h('p', { className: 'muted' }, t('noCardYet'))
  const rotate = h('button', { type: 'button', title: t('newCardHelp') }, t('newCard'))
  const card = h('div', {},
    h('p', { className: 'muted' }, t('cardHelp')),
    ...block.parts,
    h('div', { className: 'row' }, rotate, h('span', { className: 'muted' }, t('newCardHelp'))))

  // A new mailbox token: the card changes, and whoever holds only the old one can no longer leave mail.
  rotate.addEventListener('click', () => {
    block.say('')
    client.request({ method: 'rotateCardToken' }).catch((err: unknown) => { block.say(errorText(err)) })
  }, { signal })

  root.replaceChildren(h('details', {}, h('summary', { id: 'card-heading' }, t('cardHeading')), none, card))
  let shown: string | null | undefined
  return {
    render (status) {
      const own = status.peerId == null ? null : ownContactCard(status.peerId, status.addresses, status.cardToken === '' ? undefined : status.cardToken)
      const current = own == null ? null : formatContactCard(own)
      // Only when the card changed: drawing the QR code on every status event would be waste.
      if (current === shown) return
      shown = current
      none.hidden = current != null
      card.hidden = current == null
      if (current == null) return
      block.show(current)
      block.say('')
    }
  }
}
