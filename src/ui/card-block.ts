import { h } from './dom.ts'
import { t } from './i18n.ts'
import { qrCodeSvg } from './qr-code.ts'

/** The link to Peerlink's popup that opens with `card` in the add-contact form. */
export function cardLink (card: string): string {
  return `${chrome.runtime.getURL('popup/popup.html')}?tab&card=${encodeURIComponent(card)}`
}

export interface CardBlock {
  /** The card's text (`<id>`), the copy buttons with the link (`<id>-link`) and their status, and the QR code. */
  readonly parts: HTMLElement[]
  /** Says something beside the copy buttons (a copy's outcome, an error, that the card is ready). */
  say: (text: string) => void
  /** Shows `card`: its text, its link and its QR code. */
  show: (card: string) => void
}

/** This browser's contact card to share, as the popup and the welcome page show it: text, link, copy buttons and QR code. */
export function makeCardBlock (id: string, signal: AbortSignal): CardBlock {
  const text = h('code', { id })
  const link = h('a', { id: `${id}-link`, target: '_blank', rel: 'noopener' }, t('cardLinkText'))
  const copyText = h('button', { type: 'button' }, t('copyCard'))
  const copyLink = h('button', { type: 'button' }, t('copyCardLink'))
  const status = h('span', { className: 'muted', role: 'status' })
  const qr = h('div', { className: 'qr' })
  const copy = (value: string): void => {
    navigator.clipboard.writeText(value).then(() => { status.textContent = t('copied') }, () => { status.textContent = t('copyFailed') })
  }
  copyText.addEventListener('click', () => { copy(text.textContent ?? '') }, { signal })
  copyLink.addEventListener('click', () => { copy(link.href) }, { signal })
  return {
    parts: [text, h('div', { className: 'row wrap' }, copyText, copyLink, link, status), qr],
    say: (words) => { status.textContent = words },
    show: (card) => {
      text.textContent = card
      link.href = cardLink(card)
      qr.replaceChildren(qrCodeSvg(card, t('cardQrLabel')))
    }
  }
}
