import type { PeerlinkClient } from '../api/client.ts'
import type { MessageView, PeerView } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { displayName, shortId } from '../common/short-id.ts'
import { t } from '../ui/i18n.ts'
import { mailboxTroubleText } from '../ui/mailbox-text.ts'
import { STATE_ICON, STATE_TEXT } from '../ui/message-state.ts'
import { drawSparkline } from '../ui/sparkline.ts'
import { makeMessageLog } from './message-log.ts'
import { POPUP_FIRST_PAGE, POPUP_OLDER_PAGE } from '../common/constants.ts'

export interface ConversationPanel {
  show: (peer: PeerView) => void
  update: (message: MessageView) => void
  /** Reads the shown conversation again (after events may have been missed). */
  reload: () => void
  /** Puts focus in the message box. */
  focus: () => void
}

/** The popup is open and looking: messages shown count as read. */
const looking = (): boolean => document.visibilityState === 'visible'

const FAILURE_TEXT: Record<string, string> = {
  expired: 'failedExpired', 'peer-closed': 'failedPeerClosed', 'peer-removed': 'failedPeerRemoved', 'given-up': 'failedGivenUp', 'client-revoked': 'failedClientRevoked'
}

/** Why a message failed, in words, from the error's data rather than its message. */
function failureText (message: MessageView): string {
  const reason = message.error?.data.reason
  const key = typeof reason === 'string' ? FAILURE_TEXT[reason] : undefined
  return key != null ? t(key) : t('stateFailedBecause', message.error?.message ?? '')
}

function messageItem (message: MessageView, peerName: string, retry: (message: MessageView) => void): HTMLElement {
  const meta = message.state === 'failed' ? failureText(message) : t(STATE_TEXT[message.state], peerName)
  const item = h('li', { className: `message ${message.direction} ${message.state}`, 'data-message-id': message.id },
    message.text, h('span', { className: 'meta' }, `${new Date(message.at).toLocaleTimeString()} · `,
      STATE_ICON[message.state] !== '' && h('span', { className: 'state-icon', 'aria-hidden': 'true' }, `${STATE_ICON[message.state]} `), meta))
  // Which relays hold a message that waits in the contact's mailbox.
  if (message.state === 'stored' && message.storedAt != null) item.title = message.storedAt.map(relay => t('storedAtRelays', shortId(relay))).join('\n')
  if (message.state === 'failed') {
    const again = h('button', { type: 'button', className: 'retry' }, t('retry'))
    again.addEventListener('click', () => { retry(message) })
    item.append(again)
  }
  return item
}

/** One conversation: its messages with their delivery state, and the box to write the next one. */
export function mountConversationPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): ConversationPanel {
  let peer: PeerView | undefined
  const heading = h('h2', { id: 'conversation-heading', className: 'grow' }, t('conversationNone'))
  const chart = h('canvas', { className: 'sparkline', width: 120, height: 28, role: 'img', 'aria-label': t('rttChartLabel') })
  const mute = h('button', { type: 'button', className: 'mute', hidden: true })
  const header = h('div', { className: 'row' }, heading, chart, mute)
  const list = h('ul', { className: 'messages' })
  // A log region around the list (a list itself may not be a log): new messages and new states are announced.
  // It scrolls, so it takes focus: arrow keys and Page Up read back through the history by keyboard.
  const log = h('div', { className: 'message-log', role: 'log', 'aria-label': t('messagesLabel'), tabindex: 0 }, list)
  const text = h('textarea', { id: 'message-text', rows: 2 })
  const error = h('p', { className: 'error', role: 'alert' })
  const mailboxNote = h('p', { className: 'mailbox-note', role: 'status' })
  const sendButton = h('button', { type: 'submit', className: 'primary' }, t('send'))
  const form = h('form', {}, h('label', { for: 'message-text' }, t('messageLabel')), text, h('div', { className: 'row' }, sendButton), error)

  // The same message again, under its own id: a peer that had it after all keeps one copy.
  const retry = (message: MessageView): void => {
    error.textContent = ''
    client.request({ method: 'retry', id: message.id }).catch((err: unknown) => { error.textContent = errorText(err) })
  }
  mute.addEventListener('click', () => {
    if (peer == null) return
    error.textContent = ''
    client.request({ method: 'setMuted', peerId: peer.peerId, muted: !peer.muted }).then((next) => {
      if (next.peerId !== peer?.peerId) return
      peer = next
      showMute(next)
    }, (err: unknown) => { error.textContent = errorText(err) })
  }, { signal })
  const showMute = (shown: PeerView): void => {
    mute.hidden = false
    mute.textContent = shown.muted ? t('unmute') : t('mute')
    mute.title = t(shown.muted ? 'unmuteHelp' : 'muteHelp')
  }
  const messages = makeMessageLog({
    scroller: log,
    list,
    item: message => messageItem(message, peer == null ? '' : displayName(peer.name, peer.peerId), retry),
    older: async (oldest) => await client.request({ method: 'getMessages', peerId: oldest.peerId, before: oldest.id, limit: POPUP_OLDER_PAGE }),
    signal
  })
  const load = (): void => {
    const shown = peer
    if (shown == null) return
    client.messages(shown.peerId, POPUP_FIRST_PAGE).then((page) => {
      if (shown.peerId === peer?.peerId) messages.reset(page)
    }, (err: unknown) => { error.textContent = errorText(err) })
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (peer == null || text.value.trim() === '') return
    error.textContent = ''
    client.send(peer.peerId, text.value).then(() => { text.value = '' }, (err: unknown) => { error.textContent = errorText(err) })
  }, { signal })
  // Enter sends, Shift+Enter starts a new line.
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit() }
  }, { signal })
  root.replaceChildren(header, mailboxNote, log, form)

  return {
    show (next) {
      const changed = next.peerId !== peer?.peerId
      peer = next
      heading.textContent = t('conversationWith', displayName(next.name, next.peerId))
      mailboxNote.textContent = next.mailbox.error == null ? '' : mailboxTroubleText(displayName(next.name, next.peerId), next.mailbox.error)
      showMute(next)
      drawSparkline(chart, next.rttHistoryMs)
      chart.title = next.rttMs == null ? '' : t('rtt', next.rttMs.toFixed(1))
      if (next.unread > 0 && looking()) client.request({ method: 'markRead', peerId: next.peerId }).catch(() => {})
      if (changed) load()
    },
    reload () {
      if (peer != null) load()
    },
    focus () {
      text.focus()
    },
    update (message) {
      if (message.peerId !== peer?.peerId) return
      messages.upsert(message)
      if (message.direction === 'in' && looking()) client.request({ method: 'markRead', peerId: message.peerId }).catch(() => {})
    }
  }
}
