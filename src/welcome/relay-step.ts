import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { cardIn, cardRelays } from './card-input.ts'

export interface RelayStep {
  render: (status: Status) => void
}

/**
 * Step 1: a relay, by its address or taken from a card someone sent. A
 * pasted card is not added as a relay: its relays are offered, one button
 * each, and the card is handed on (`onCard`) for the contact step.
 */
export function mountRelayStep (root: HTMLElement, client: PeerlinkClient, { onSaved, onCard }: { onSaved: () => void, onCard: (card: string) => void }, signal: AbortSignal): RelayStep {
  let relays: string[] = []
  const input = h('input', { id: 'welcome-relay', autocomplete: 'off', spellcheck: 'false', placeholder: '/ip4/…/tcp/…/ws/p2p/12D3KooW… / peerlink:…', 'aria-describedby': 'welcome-relay-help' })
  const error = h('p', { className: 'error', role: 'alert' })
  const state = h('p', { className: 'muted', role: 'status' })
  const offered = h('div', { className: 'offered' })
  const form = h('form', {},
    h('label', { for: 'welcome-relay' }, t('welcomeRelayLabel')), input,
    h('p', { className: 'muted help', id: 'welcome-relay-help' }, t('welcomeRelayInputHelp')),
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('addRelay'))),
    offered, error)

  const save = (address: string): void => {
    error.textContent = ''
    // Added beside any relay already set: the welcome page never takes one away.
    client.setRelays(relays.includes(address) ? relays : [...relays, address]).then(() => {
      input.value = ''
      offered.replaceChildren()
      onSaved()
    }, (err: unknown) => { error.textContent = errorText(err) })
  }
  /** A card's relays as buttons: the person picks one, nothing is dialled before. */
  const offer = (card: string): void => {
    const found = cardRelays(card)
    if (found.length === 0) {
      error.textContent = t('welcomeCardNoRelay')
      return
    }
    const buttons = found.map((relay) => {
      const use = h('button', { type: 'button', 'aria-label': t('welcomeUseRelayLabel', relay) }, t('welcomeUseRelay'))
      use.addEventListener('click', () => { save(relay) }, { signal })
      return h('li', { className: 'row' }, h('code', { className: 'grow' }, relay), use)
    })
    offered.replaceChildren(h('p', { id: 'welcome-card-relays' }, t('welcomeCardRelays')), h('ul', { 'aria-labelledby': 'welcome-card-relays' }, ...buttons))
    onCard(card)
    buttons[0]?.querySelector('button')?.focus()
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    error.textContent = ''
    const card = cardIn(input.value)
    if (card != null) offer(card)
    else save(input.value.trim())
  }, { signal })

  root.append(h('p', {}, t('welcomeRelayHelp')), state, form)
  return {
    render (status) {
      relays = status.relays.map(r => r.address)
      const reserved = status.relays.find(r => r.state === 'reserved')
      const text = reserved != null
        ? t('welcomeRelayReserved', reserved.address)
        : status.relays.length === 0
          ? t('welcomeRelayNone')
          : status.relays.every(r => r.state === 'failed')
            ? t('welcomeRelayFailed', status.relays[0]?.error ?? '')
            : t('welcomeRelayConnecting')
      if (state.textContent !== text) state.textContent = text
    }
  }
}
