import { makeCardBlock } from '../ui/card-block.ts'
import { h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

export interface CardStep {
  /** Shows the card (as the progress has it), or says what it waits for. */
  render: (card: string | null) => void
}

/** Step 2: this browser's contact card, to send: the text, the link (each with a copy button) and the QR code. */
export function mountCardStep (root: HTMLElement, signal: AbortSignal): CardStep {
  const block = makeCardBlock('welcome-card', signal)
  const waiting = h('p', { className: 'muted', role: 'status' }, t('welcomeCardWaiting'))
  const card = h('div', { hidden: true }, h('p', {}, t('welcomeCardHelp')), ...block.parts)

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
      block.show(current)
      block.say(t('welcomeCardReady'))
    }
  }
}
