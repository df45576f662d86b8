import type { PeerlinkClient } from '../api/client.ts'
import type { ApiRequest, PeerView, Status } from '../api/protocol.ts'
import { ResourceLimitError, ValidationError } from '../common/errors/index.ts'
import { errorText, h } from '../ui/dom.ts'
import { displayName } from '../common/short-id.ts'
import { formatAgo, formatBytes, formatWhen } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'
import { makeKeyedList } from '../ui/keyed-list.ts'
import { describePeerState } from '../ui/peer-state.ts'

export interface ContactsPanel {
  render: (status: Status) => void
  /** Puts a contact card (from a link) in the add form, for the user to look at and add. */
  offerCard: (card: string) => void
  /** Opens this contact's conversation first (from a notification), instead of the first contact's. */
  prefer: (peerId: string) => void
}

const CARD_PREFIX = /^(web\+)?peerlink:/i

/** An error of adding a contact in words: a card's bad address by its number. */
function addError (err: unknown): string {
  const address = err instanceof ValidationError ? /^addresses\.(\d+)$/.exec(err.data.field) : null
  if (address != null && err instanceof ValidationError) return t('cardAddressError', String(Number(address[1]) + 1), err.data.reason)
  if (err instanceof ResourceLimitError && err.data.limitType === 'contact-addresses') return t('cardTooManyAddresses', String(err.data.limit))
  return errorText(err)
}

/** A conversation's newest message in one line: who wrote it, and its start. */
function lastLine (peer: PeerView): string {
  const last = peer.last
  if (last == null) return ''
  const what = last.kind === 'bytes' ? t('lastFile') : last.text.replace(/\s+/g, ' ').trim()
  return last.direction === 'out' ? t('lastByYou', what) : what
}

/** The contact list with each peer's state, and the small form (behind New contact) to add one by peer id or contact card; `onSelect`'s `byPerson` is false for the conversation the popup opens by itself. */
export function mountContactsPanel (root: HTMLElement, client: PeerlinkClient, onSelect: (peer: PeerView, byPerson: boolean) => void, signal: AbortSignal): ContactsPanel {
  let selected: string | undefined
  /** Whether a conversation was opened yet; until then a render opens one. */
  let opened = false
  let relays = 0
  let latest = new Map<string, PeerView>()
  const list = h('ul', { 'aria-label': t('contactsList') })
  const peerInput = h('input', { id: 'add-peer-id', autocomplete: 'off', spellcheck: 'false', placeholder: '12D3KooW… / peerlink:…', 'aria-describedby': 'add-peer-help' })
  const nameInput = h('input', { id: 'add-peer-name', autocomplete: 'off' })
  const error = h('p', { className: 'error', role: 'alert' })
  // Outside the form: what adding did is still said once the form folds away.
  const note = h('p', { className: 'muted', role: 'status' })
  // Adding a contact is its own small form, out of the way once there are conversations.
  const toggle = h('button', { type: 'button', className: 'new-contact', 'aria-expanded': 'false', 'aria-controls': 'add-contact' }, t('newContact'))
  const form = h('form', { id: 'add-contact', 'aria-label': t('addContactForm'), hidden: true },
    h('label', { for: 'add-peer-id' }, t('peerIdOrCardLabel')), peerInput,
    h('p', { className: 'muted help', id: 'add-peer-help' }, t('addContactHelp')),
    h('label', { for: 'add-peer-name' }, t('peerNameLabel')), nameInput,
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('addContact'))),
    error)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    error.textContent = ''
    note.textContent = ''
    const given = peerInput.value.trim()
    const byCard = CARD_PREFIX.test(given)
    const hadNoRelay = relays === 0
    const request: Extract<ApiRequest, { method: 'addPeer' }> = byCard
      ? { method: 'addPeer', card: given, name: nameInput.value }
      : { method: 'addPeer', peerId: given, name: nameInput.value }
    client.request(request).then(async (peer) => {
      peerInput.value = ''
      nameInput.value = ''
      showForm(false)
      selected = peer.peerId
      opened = true
      onSelect(peer, true)
      // A newcomer's first relays come from the card: say so, since the options page changed too.
      if (byCard && hadNoRelay && (await client.status()).relays.length > 0) note.textContent = t('cardRelayAdopted')
    }, (err: unknown) => { error.textContent = addError(err) })
  }, { signal })
  /** Shows or folds the add form; shown, it takes the focus. */
  const showForm = (shown: boolean, focus = shown): void => {
    form.hidden = !shown
    toggle.setAttribute('aria-expanded', String(shown))
    if (focus) peerInput.focus()
  }
  toggle.addEventListener('click', () => { showForm(toggle.getAttribute('aria-expanded') !== 'true') }, { signal })
  root.replaceChildren(h('div', { className: 'row' }, h('h2', { id: 'contacts-heading', className: 'grow' }, t('contactsHeading')), toggle), list, form, note)
  /** Everything a contact's row says, in words. */
  const rowText = (peer: PeerView): { name: string, state: ReturnType<typeof describePeerState>, facts: string, last: string, when: string } => ({
    name: displayName(peer.name, peer.peerId),
    last: lastLine(peer),
    when: peer.last == null ? '' : formatWhen(peer.last.at),
    state: describePeerState(peer),
    facts: [
      peer.rttMs == null ? null : t('rtt', peer.rttMs.toFixed(1)),
      peer.pending.messages === 0 ? null : t('queuedFacts', String(peer.pending.messages), formatBytes(peer.pending.bytes)),
      peer.state === 'connected' ? null : formatAgo(peer.lastSeen)
    ].filter(f => f != null).join(' · ')
  })
  const rows = makeKeyedList<{ peer: PeerView, current: boolean, text: ReturnType<typeof rowText> }>(list, {
    key: ({ peer }) => peer.peerId,
    signature: ({ peer, current, text }) => JSON.stringify([text, peer.unread, current]),
    empty: h('li', { className: 'muted' }, t('noContacts')),
    build: ({ peer, current, text: { name, state, facts, last, when } }) => {
      const button = h('button', { type: 'button', className: 'contact', 'aria-current': current ? 'true' : 'false' },
        h('span', { className: 'grow' },
          h('span', { className: 'contact-top' },
            h('span', { className: 'contact-name' }, name),
            peer.unread > 0 && h('span', { className: 'unread', 'aria-label': t('unreadLabel', String(peer.unread)) }, String(peer.unread)),
            when !== '' && h('time', { className: 'when muted', datetime: new Date(peer.last!.at).toISOString() }, when)),
          last !== '' && h('span', { className: 'last-line' }, last),
          h('span', { className: 'facts muted' }, facts)),
        h('span', { className: `badge tone-${state.tone}` }, state.text))
      // A kept row outlives the status it was built from: select the contact as the latest status has it.
      button.addEventListener('click', () => { selected = peer.peerId; opened = true; onSelect(latest.get(peer.peerId) ?? peer, true) }, { signal })
      return h('li', {}, button)
    }
  })

  return {
    offerCard (card) {
      showForm(true, false)
      peerInput.value = card
      note.textContent = t('cardOffered')
      nameInput.focus()
    },
    prefer (peerId) {
      if (!opened) selected = peerId
    },
    render (status) {
      relays = status.relays.length
      // No contacts yet: the form is all there is to do.
      if (status.peers.length === 0 && toggle.getAttribute('aria-expanded') !== 'true') showForm(true, false)
      latest = new Map(status.peers.map(peer => [peer.peerId, peer]))
      // Conversations by their newest message, then contacts without one as they were added.
      const peers = [...status.peers].sort((a, b) => (b.last?.at ?? -Infinity) - (a.last?.at ?? -Infinity))
      // The first status opens a conversation: the preferred one while it is a contact, else the most recent.
      const first = opened ? undefined : latest.get(selected ?? '') ?? peers[0]
      if (first != null) {
        opened = true
        selected = first.peerId
      }
      // Each row's words once per render: they are both its signature and what a rebuilt row shows.
      rows.render(peers.map(peer => ({ peer, current: peer.peerId === selected, text: rowText(peer) })))
      if (first != null) onSelect(first, false)
    }
  }
}
