import type { PeerlinkClient } from '../api/client.ts'
import type { PeerView, Status } from '../api/protocol.ts'
import { errorText, h, shortId } from '../ui/dom.ts'
import { formatAgo, formatBytes } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'
import { describePeerState } from '../ui/peer-state.ts'

export interface ContactsPanel {
  render: (status: Status) => void
}

/** The contact list with each peer's state, and the form to add a contact. */
export function mountContactsPanel (root: HTMLElement, client: PeerlinkClient, onSelect: (peer: PeerView) => void, signal: AbortSignal): ContactsPanel {
  let selected: string | undefined
  const list = h('ul', { 'aria-label': t('contactsList') })
  const peerInput = h('input', { id: 'add-peer-id', autocomplete: 'off', spellcheck: 'false', placeholder: '12D3KooW…' })
  const nameInput = h('input', { id: 'add-peer-name', autocomplete: 'off' })
  const error = h('p', { className: 'error', role: 'alert' })
  const form = h('form', {},
    h('label', { for: 'add-peer-id' }, t('peerIdLabel')), peerInput,
    h('label', { for: 'add-peer-name' }, t('peerNameLabel')), nameInput,
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('addContact'))),
    error)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    error.textContent = ''
    client.addPeer(peerInput.value, nameInput.value).then((peer) => {
      peerInput.value = ''
      nameInput.value = ''
      selected = peer.peerId
      onSelect(peer)
    }, (err: unknown) => { error.textContent = errorText(err) })
  }, { signal })
  root.replaceChildren(h('h2', { id: 'contacts-heading' }, t('contactsHeading')), list, form)

  return {
    render (status) {
      const items = status.peers.map((peer) => {
        const state = describePeerState(peer)
        const facts = [
          peer.rttMs == null ? null : t('rtt', peer.rttMs.toFixed(1)),
          peer.pending.messages === 0 ? null : t('queuedFacts', String(peer.pending.messages), formatBytes(peer.pending.bytes)),
          peer.state === 'connected' ? null : formatAgo(peer.lastSeen)
        ].filter(f => f != null).join(' · ')
        const button = h('button', { type: 'button', className: 'contact', 'aria-current': peer.peerId === selected ? 'true' : 'false' },
          h('span', { className: 'grow' },
            h('span', { className: 'contact-name' }, peer.name === '' ? shortId(peer.peerId) : peer.name),
            peer.unread > 0 && h('span', { className: 'unread', 'aria-label': t('unreadLabel', String(peer.unread)) }, String(peer.unread)),
            h('span', { className: 'facts muted' }, facts)),
          h('span', { className: `badge tone-${state.tone}` }, state.text))
        button.addEventListener('click', () => { selected = peer.peerId; onSelect(peer) }, { signal })
        return h('li', {}, button)
      })
      list.replaceChildren(...(items.length > 0 ? items : [h('li', { className: 'muted' }, t('noContacts'))]))
      if (selected == null && status.peers[0] != null) {
        selected = status.peers[0].peerId
        onSelect(status.peers[0])
      }
    }
  }
}
