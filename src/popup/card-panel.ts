import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { formatContactCard, ownContactCard } from '../common/wire/contact-card.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { qrCodeSvg } from '../ui/qr-code.ts'

/** The link to Peerlink's popup that opens with `card` in the add-contact form. */
export function cardLink (card: string): string {
  return `${chrome.runtime.getURL('popup/popup.html')}?tab&card=${encodeURIComponent(card)}`
}

/**
 * This browser's own contact card, to share without opening the options
 * page: the text with a copy button, the link, and the QR code. Shown once
 * the node is reserved on a relay (a card without an address reaches no one).
 */
export function mountCardPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const text = h('code', { id: 'own-card' })
  const copied = h('span', { className: 'muted', role: 'status' })
  const copyText = h('button', { type: 'button' }, t('copyCard'))
  const link = h('a', { id: 'own-card-link', target: '_blank', rel: 'noopener' }, t('cardLinkText'))
  const copyLink = h('button', { type: 'button' }, t('copyCardLink'))
  const qr = h('div', { className: 'qr' })
  const none = h('p', { className: 'muted' }, t('noCardYet'))
  const rotate = h('button', { type: 'button', title: t('newCardHelp') }, t('newCard'))
  const card = h('div', {},
    h('p', { className: 'muted' }, t('cardHelp')),
    text,
    h('div', { className: 'row' }, copyText, copyLink, link, copied),
    qr,
    h('div', { className: 'row' }, rotate, h('span', { className: 'muted' }, t('newCardHelp'))))

  const copy = (value: () => string): void => {
    navigator.clipboard.writeText(value()).then(() => { copied.textContent = t('copied') }, () => { copied.textContent = t('copyFailed') })
  }
  copyText.addEventListener('click', () => { copy(() => text.textContent ?? '') }, { signal })
  copyLink.addEventListener('click', () => { copy(() => link.href) }, { signal })
  // A new mailbox token: the card changes, and whoever holds only the old one can no longer leave mail.
  rotate.addEventListener('click', () => {
    copied.textContent = ''
    client.request({ method: 'rotateCardToken' }).catch((err: unknown) => { copied.textContent = errorText(err) })
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
      text.textContent = current
      link.href = cardLink(current)
      copied.textContent = ''
      qr.replaceChildren(qrCodeSvg(current, t('cardQrLabel')))
    }
  }
}
