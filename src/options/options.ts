/** The options page: what a person changes up front (relays, contacts, connectivity), identity and storage, and every limit folded under Advanced. */
import { makePeerlinkClient } from '../api/client.ts'
import { localize } from '../ui/i18n.ts'
import { mountConnectivityPanel } from './connectivity-panel.ts'
import { mountContactsPanel } from './contacts-panel.ts'
import { mountIdentityPanel } from './identity-panel.ts'
import { mountLimitsPanel } from './limits-panel.ts'
import { mountRelaysPanel } from './relays-panel.ts'
import { mountStoragePanel } from './storage-panel.ts'

const client = makePeerlinkClient()
const teardown = new AbortController()
localize(document)

const identity = mountIdentityPanel(document.getElementById('identity')!, client, teardown.signal)
const relays = mountRelaysPanel(document.getElementById('relays')!, client, teardown.signal)
const connectivity = mountConnectivityPanel(document.getElementById('connectivity')!, client, teardown.signal)
const contacts = mountContactsPanel(document.getElementById('contacts')!, client, teardown.signal)
const limits = mountLimitsPanel(document.getElementById('limits')!, client, teardown.signal)
const storage = mountStoragePanel(document.getElementById('storage')!, client)
// A link to a limit (options.html#limits) unfolds them.
if (location.hash === '#limits' || location.hash === '#advanced') (document.getElementById('advanced') as HTMLDetailsElement).open = true

const unsubscribe = client.subscribe((event) => {
  if (event.type !== 'status') return
  identity.render(event.status)
  relays.render(event.status)
  connectivity.render(event.status)
  contacts.render(event.status)
  limits.render(event.status)
  storage.render()
}, { messages: false })

addEventListener('pagehide', () => { unsubscribe(); teardown.abort() })
