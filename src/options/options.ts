/** The options page: identity and relays. */
import { makePeerlinkClient } from '../api/client.ts'
import { localize } from '../ui/i18n.ts'
import { mountIdentityPanel } from './identity-panel.ts'
import { mountRelaysPanel } from './relays-panel.ts'

const client = makePeerlinkClient()
const teardown = new AbortController()
localize(document)

const identity = mountIdentityPanel(document.getElementById('identity')!, teardown.signal)
const relays = mountRelaysPanel(document.getElementById('relays')!, client, teardown.signal)

const unsubscribe = client.subscribe((event) => {
  if (event.type !== 'status') return
  identity.render(event.status)
  relays.render(event.status)
})

addEventListener('pagehide', () => { unsubscribe(); teardown.abort() })
