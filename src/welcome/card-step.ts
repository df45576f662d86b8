import { cardLink } from '../popup/card-panel.ts'
import { h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { qrCodeSvg } from '../ui/qr-code.ts'

export interface CardStep {
  /** Shows the card (as the progress has it), or says what it waits for. */
  render: (card: string | null) => void
}

/** Step 2: this browser's contact card, to send: the text, the link (each with a copy button) and the QR code. */
export function mountCardStep (root: HTMLElement, signal: AbortSignal): CardStep {
  const text = h('code', { id: 'welcome-card' })
  const link = h('a', { id: 'welcome-card-link', target: '_blank', rel: 'noopener' }, t('cardLinkText'))
  const copyText = h('button', { type: 'button' }, t('copyCard'))
  const copyLink = h('button', { type: 'button' }, t('copyCardLink'))
  const copied = h('span', { className: 'muted', role: 'status' })
  const qr = h('div', { className: 'qr' })
  const waiting = h('p', { className: 'muted', role: 'status' }, t('welcomeCardWaiting'))
  const card = h('div', { hidden: true },
    h('p', {}, t('welcomeCardHelp')),
    text,
    h('div', { className: 'row wrap' }, copyText, copyLink, link, copied),
    qr)

  const copy = (value: string): void => {
    navigator.clipboard.writeText(value).then(() => { copied.textContent = t('copied') }, () => { copied.textContent = t('copyFailed') })
  }
  copyText.addEventListener('click', () => { copy(text.textContent ?? '') }, { signal })
  copyLink.addEventListener('click', () => { copy(link.href) }, { signal })

  root.append(waiting, card)
  let shown: string | null | undefined
  return {
    render (current) {
      // The QR code is drawn only when the card changed, not on every status event.
      if (current === shown) return
      shown = current
      waiting.hidden = current != null
      card.hidden = current == null
      if (current == null) return
      text.textContent = current
      link.href = cardLink(current)
      copied.textContent = t('welcomeCardReady')
      qr.replaceChildren(qrCodeSvg(current, t('cardQrLabel')))
    }
  }
}
