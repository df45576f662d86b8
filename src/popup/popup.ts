/** The popup: contacts at a glance, one conversation, this browser's contact card, and the apps using Peerlink. */
import { makePeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { localize, t } from '../ui/i18n.ts'
import { mountClientsPanel } from './clients-panel.ts'
import { mountContactsPanel } from './contacts-panel.ts'
import { mountConversationPanel } from './conversation-panel.ts'
import { mountRequestsPanel } from './requests-panel.ts'
import { mountSitePanel } from './site-panel.ts'

const client = makePeerlinkClient()
const teardown = new AbortController()
const nodeState = document.getElementById('node-state')!

localize(document)
document.getElementById('open-options')!.addEventListener('click', (event) => {
  event.preventDefault()
  void chrome.runtime.openOptionsPage()
})

const conversation = mountConversationPanel(document.getElementById('conversation')!, client, teardown.signal)
const requests = mountRequestsPanel(document.getElementById('requests')!, client, teardown.signal, () => document.querySelector<HTMLElement>('#contacts .contact'))
const site = mountSitePanel(document.getElementById('site')!, client, teardown.signal)
const clients = mountClientsPanel(document.getElementById('clients')!, client, teardown.signal)
let selected: string | undefined
const contacts = mountContactsPanel(document.getElementById('contacts')!, client, (peer, byPerson) => {
  selected = peer.peerId
  conversation.show(peer)
  // The person chose this conversation (by keyboard, too): take them to its message box rather than leave focus in the list.
  if (byPerson) conversation.focus()
}, teardown.signal)

// The contact card (its codec and QR code) loads after the conversations show: it is folded away.
let latest: Status | undefined
let card: { render: (status: Status) => void } | undefined
void import('./card-panel.ts').then(({ mountCardPanel }) => {
  card = mountCardPanel(document.getElementById('card')!, client, teardown.signal)
  if (latest != null) card.render(latest)
})
// Opened from a contact card's link: the card waits in the add form for the user to add it.
const offered = new URLSearchParams(location.search).get('card')
if (offered != null) contacts.offerCard(offered)
// Opened from a notification: that contact's conversation.
const wanted = new URLSearchParams(location.search).get('peer')
if (wanted != null) contacts.prefer(wanted)

// The popup as a full page, for a longer conversation.
const openTab = document.getElementById('open-tab')!
if (new URLSearchParams(location.search).has('tab')) openTab.hidden = true
openTab.addEventListener('click', (event) => {
  event.preventDefault()
  void chrome.tabs.create({ url: chrome.runtime.getURL('popup/popup.html?tab') })
})

const unsubscribe = client.subscribe((event) => {
  if (event.type === 'status') {
    contacts.render(event.status)
    requests.render(event.status)
    site.render(event.status)
    clients.render(event.status)
    latest = event.status
    card?.render(event.status)
    const current = event.status.peers.find(p => p.peerId === selected)
    if (current != null) conversation.show(current)
    const running = event.status.node === 'running'
    nodeState.textContent = running ? t('nodeOnline') : event.status.node === 'error' ? t('nodeError') : t('nodeStarting')
    nodeState.className = `badge tone-${running ? 'ok' : event.status.node === 'error' ? 'bad' : 'busy'}`
    nodeState.title = event.status.nodeError ?? ''
  } else if (event.type === 'subscribed') {
    // Messages that came while the worker was restarting were announced to nobody: read them again.
    conversation.reload()
  } else if (event.type === 'messages') {
    for (const message of event.messages) conversation.update(message)
  }
})

addEventListener('pagehide', () => { unsubscribe(); teardown.abort() })
