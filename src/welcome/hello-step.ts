import type { PeerlinkClient } from '../api/client.ts'
import { newMessageId } from '../api/message-payload.ts'
import type { MessageState, MessageView, PeerView } from '../api/protocol.ts'
import { displayName } from '../common/short-id.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { STATE_TEXT } from '../ui/message-state.ts'
import { describePeerState } from '../ui/peer-state.ts'

export interface HelloStep {
  /** Shows the contact's connection in words, and the message box once it has been connected. */
  render: (contact: PeerView | undefined) => void
  /** A message's new state: the one sent here is followed to its delivery. */
  update: (message: MessageView) => void
  /** Dials the contact now: Peerlink otherwise dials only when there is something to send. */
  reach: (peerId: string) => void
}

/** A contact in one of these states is not being dialled: the page offers to. */
const IDLE_STATES = new Set<PeerView['state']>(['idle', 'failed', 'given-up', 'closed'])

/**
 * Step 4: the live check. The contact's connection state in words until it
 * is connected, then "Connected to <name>", a message box and Send; the
 * first message's state follows it until it is delivered.
 */
export function mountHelloStep (root: HTMLElement, heading: HTMLElement, client: PeerlinkClient, signal: AbortSignal): HelloStep {
  let contact: PeerView | undefined
  /** The contact that was connected while shown: its box stays even if the connection drops for a moment. */
  let reached: string | undefined
  let sentId: string | undefined
  let sentState: MessageState | undefined
  const connection = h('p', { className: 'connection', role: 'status' }, t('welcomeHelloWaiting'))
  const hint = h('p', { className: 'muted', hidden: true })
  const connect = h('button', { type: 'button' })
  const connectRow = h('div', { className: 'row', hidden: true }, connect)
  const connectError = h('p', { className: 'error', role: 'alert' })
  const text = h('textarea', { id: 'welcome-message', rows: 2 })
  const error = h('p', { className: 'error', role: 'alert' })
  const delivery = h('p', { className: 'delivery', role: 'status' })
  const done = h('p', { hidden: true })
  const form = h('form', { hidden: true },
    h('label', { for: 'welcome-message' }, t('messageLabel')), text,
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('send'))),
    error, delivery, done)

  const showDelivery = (): void => {
    if (contact == null || sentState == null) return
    const words = t('welcomeMessageState', t(STATE_TEXT[sentState], displayName(contact.name, contact.peerId)))
    if (delivery.textContent !== words) delivery.textContent = words
    if (sentState === 'delivered' && done.hidden) {
      const open = h('a', { href: chrome.runtime.getURL(`popup/popup.html?tab&peer=${encodeURIComponent(contact.peerId)}`) }, t('welcomeOpenConversation', displayName(contact.name, contact.peerId)))
      done.replaceChildren(t('welcomeAllDone'), ' ', open)
      done.hidden = false
    }
  }
  const send = (): void => {
    if (contact == null || text.value.trim() === '') return
    error.textContent = ''
    // The id is chosen before sending, so a state event that comes before the answer is not missed.
    const id = newMessageId()
    sentId = id
    sentState = undefined
    client.send(contact.peerId, text.value, { id }).then((result) => {
      if (sentId !== id) return
      text.value = ''
      // An event may already have told a later state: never go back.
      if (sentState == null) sentState = result.state
      showDelivery()
    }, (err: unknown) => { error.textContent = errorText(err) })
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); send() }, { signal })
  // Enter sends and Shift+Enter starts a new line, as in the popup.
  text.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return
    event.preventDefault()
    send()
  }, { signal })

  const reach = (peerId: string): void => {
    connectError.textContent = ''
    client.request({ method: 'reconnectPeer', peerId }).catch((err: unknown) => { connectError.textContent = errorText(err) })
  }
  connect.addEventListener('click', () => { if (contact != null) reach(contact.peerId) }, { signal })

  root.append(connection, hint, connectRow, connectError, form)
  return {
    render (next) {
      contact = next
      if (next == null) return
      const name = displayName(next.name, next.peerId)
      const connected = next.state === 'connected'
      if (connected && reached !== next.peerId) {
        reached = next.peerId
        form.hidden = false
        // The person is waiting at this step (focus went here when the contact was added): take them to the box.
        if (document.activeElement === heading || document.activeElement === document.body) text.focus()
      }
      const words = connected ? t('welcomeConnectedTo', name) : t('welcomeContactState', name, describePeerState(next).text)
      if (connection.textContent !== words) connection.textContent = words
      connection.className = `connection tone-${connected ? 'ok' : describePeerState(next).tone}`
      hint.hidden = connected || reached === next.peerId
      hint.textContent = t('welcomeHelloHint', name)
      // Only a contact no dial is under way to: the person asks for the next try.
      connectRow.hidden = !IDLE_STATES.has(next.state)
      connect.textContent = t('welcomeConnect', name)
      showDelivery()
    },
    reach,
    update (message) {
      if (message.id !== sentId || message.direction !== 'out') return
      sentState = message.state
      showDelivery()
    }
  }
}
