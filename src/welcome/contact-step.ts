import type { PeerlinkClient } from '../api/client.ts'
import type { ApiRequest, PeerView } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { cardIn } from './card-input.ts'

export interface ContactStep {
  /** Puts a card (pasted in the relay step) in the form, for the person to name and add. */
  offerCard: (card: string) => void
}

/** Step 3: the first contact, from the card or the link someone sent (a bare peer id is taken too). */
export function mountContactStep (root: HTMLElement, client: PeerlinkClient, onAdded: (peer: PeerView) => void, signal: AbortSignal): ContactStep {
  const cardInput = h('input', { id: 'welcome-contact', autocomplete: 'off', spellcheck: 'false', placeholder: 'peerlink:12D3KooW…', 'aria-describedby': 'welcome-contact-help' })
  const nameInput = h('input', { id: 'welcome-contact-name', autocomplete: 'off' })
  const error = h('p', { className: 'error', role: 'alert' })
  const note = h('p', { className: 'muted', role: 'status' })
  const form = h('form', {},
    h('label', { for: 'welcome-contact' }, t('welcomeContactLabel')), cardInput,
    h('p', { className: 'muted help', id: 'welcome-contact-help' }, t('welcomeContactHelp')),
    h('label', { for: 'welcome-contact-name' }, t('peerNameLabel')), nameInput,
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('addContact'))),
    error, note)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    error.textContent = ''
    note.textContent = ''
    const given = cardInput.value.trim()
    const card = cardIn(given)
    const request: Extract<ApiRequest, { method: 'addPeer' }> = card != null
      ? { method: 'addPeer', card, name: nameInput.value.trim() }
      : { method: 'addPeer', peerId: given, name: nameInput.value.trim() }
    client.request(request).then((peer) => {
      cardInput.value = ''
      nameInput.value = ''
      note.textContent = t('welcomeContactAdded', peer.name === '' ? peer.peerId : peer.name)
      onAdded(peer)
    }, (err: unknown) => { error.textContent = errorText(err) })
  }, { signal })

  root.append(h('p', {}, t('welcomeContactIntro')), form)
  return {
    offerCard (card) {
      if (cardInput.value.trim() === '') cardInput.value = card
    }
  }
}
