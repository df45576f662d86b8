/**
 * A chat page built on Peerlink's client library: pick a contact, send text,
 * see the conversation. Peerlink's id comes from `?peerlink=<id>`, the form,
 * or the last one used. Everything a test needs is in the DOM: `#state`
 * (`data-state`: idle, connecting, subscribed, refused), `#peer`, `#text`,
 * `#send`, and `#messages` with one `li` per message (`data-direction`,
 * `data-state`, `data-message-id`; its text in `.text`).
 */
import { makePeerlinkClient, type MessageView, type PeerlinkClient } from '../../src/client/peerlink-client.ts'

/** Firefox gives Peerlink this id; in Chrome it is shown on chrome://extensions. */
const FIREFOX_PEERLINK_ID = 'peerlink@peerlink.dev'
const STORED_ID = 'peerlinkId'

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const idInput = $<HTMLInputElement>('peerlink-id')
const state = $<HTMLOutputElement>('state')
const ownPeerId = $('own-peer-id')
const error = $('error')
const peerSelect = $<HTMLSelectElement>('peer')
const text = $<HTMLInputElement>('text')
const list = $<HTMLUListElement>('messages')

let client: PeerlinkClient | undefined
let unsubscribe: (() => void) | undefined

const setState = (value: string, detail = value): void => {
  state.dataset.state = value
  state.textContent = detail
}
const showError = (err: unknown): void => { error.textContent = err instanceof Error ? `${err.name}: ${err.message}` : String(err) }

/** Adds a message to the list, or updates the one shown with its id. */
function show (message: MessageView): void {
  if (message.peerId !== peerSelect.value) return
  const item = document.createElement('li')
  item.dataset.messageId = message.id
  item.dataset.direction = message.direction
  item.dataset.state = message.state
  const body = document.createElement('span')
  body.className = 'text'
  body.textContent = message.kind === 'text' ? message.text : `(${message.bytes} bytes)`
  const meta = document.createElement('span')
  meta.className = 'meta'
  meta.textContent = message.state
  item.append(body, meta)
  const old = list.querySelector(`li[data-message-id="${CSS.escape(message.id)}"]`)
  if (old != null) old.replaceWith(item)
  else list.append(item)
}

/** Reads the selected conversation again: on every new subscription, events may have been missed. */
async function reload (): Promise<void> {
  if (client == null || peerSelect.value === '') return
  const messages = await client.messages(peerSelect.value)
  list.replaceChildren()
  messages.forEach(show)
}

function connect (peerlinkId: string): void {
  unsubscribe?.()
  localStorage.setItem(STORED_ID, peerlinkId)
  error.textContent = ''
  setState('connecting')
  const current = makePeerlinkClient({ peerlinkId })
  client = current
  unsubscribe = current.subscribe((event) => {
    switch (event.type) {
      case 'subscribed':
        setState('subscribed')
        error.textContent = ''
        reload().catch(showError)
        break
      case 'refused':
        // Until the user allows this extension in Peerlink's popup; the client asks again by itself.
        setState('refused', `refused: ${event.error.message}`)
        break
      case 'client-status': {
        ownPeerId.textContent = event.status.peerId ?? ''
        const selected = peerSelect.value
        peerSelect.replaceChildren(...event.status.peers.map(peer => new Option(`${peer.name === '' ? peer.peerId : peer.name} (${peer.state})`, peer.peerId)))
        peerSelect.value = event.status.peers.some(p => p.peerId === selected) ? selected : (event.status.peers[0]?.peerId ?? '')
        if (peerSelect.value !== selected) reload().catch(showError)
        break
      }
      case 'messages':
        event.messages.forEach(show)
        break
    }
  })
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault()
  connect(idInput.value.trim())
})
peerSelect.addEventListener('change', () => { reload().catch(showError) })
$('send-form').addEventListener('submit', (event) => {
  event.preventDefault()
  if (client == null || peerSelect.value === '' || text.value === '') return
  error.textContent = ''
  client.send(peerSelect.value, { text: text.value }).then(() => { text.value = '' }, showError)
})

const initial = new URLSearchParams(location.search).get('peerlink') ??
  localStorage.getItem(STORED_ID) ??
  (location.protocol === 'moz-extension:' ? FIREFOX_PEERLINK_ID : '')
idInput.value = initial
if (initial !== '') connect(initial)
