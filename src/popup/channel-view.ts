import type { PeerlinkClient } from '../api/client.ts'
import type { MessageView, PeerView, Status } from '../api/protocol.ts'
import { POPUP_FIRST_PAGE } from '../common/constants.ts'
import { displayName } from '../common/short-id.ts'
import { errorText, h } from '../ui/dom.ts'
import { formatBytes } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'
import { STATE_TEXT } from '../ui/message-state.ts'

/** Status events come with every change of any contact: a shown channel is read again at most this often. */
const RELOAD_EVERY_MS = 2000

export interface ChannelView {
  /** Shows `channel`'s messages with every contact, titled `title`; the same channel again closes it. */
  toggle: (channel: string, title: string) => void
  /** The channel shown, if any. */
  readonly shown: string | undefined
  render: (status: Status) => void
}

/**
 * A client's channel, read-only: what an app sent and received through
 * Peerlink with each contact, newest last, so the person can see what an
 * app does in their name. Nothing here sends, retries or marks read.
 */
export function mountChannelView (root: HTMLElement, client: PeerlinkClient): ChannelView {
  const heading = h('h3', { id: 'channel-heading' })
  const note = h('p', { className: 'muted' }, t('channelReadOnly'))
  const list = h('ul', { className: 'channel-messages', 'aria-labelledby': 'channel-heading' })
  const error = h('p', { className: 'error', role: 'alert' })
  root.replaceChildren(heading, note, list, error)
  root.hidden = true

  let channel: string | undefined
  let peers: PeerView[] = []
  let loadedAt = 0
  let later: ReturnType<typeof setTimeout> | undefined
  /** Bumped by every load: an answer for an earlier one is dropped. */
  let generation = 0

  const item = (message: MessageView): HTMLElement => {
    const peer = peers.find(p => p.peerId === message.peerId)
    const who = message.direction === 'out' ? t('channelTo', displayName(peer?.name, message.peerId)) : t('channelFrom', displayName(peer?.name, message.peerId))
    const body = message.kind === 'text' ? message.text : t('channelBytes', formatBytes(message.bytes))
    return h('li', { className: `message ${message.direction} ${message.state}`, 'data-message-id': message.id },
      h('span', { className: 'meta' }, `${who} · ${new Date(message.at).toLocaleString()} · ${t(STATE_TEXT[message.state], displayName(peer?.name, message.peerId))}`),
      body)
  }
  const load = (): void => {
    const reading = channel
    if (reading == null) return
    const mine = ++generation
    loadedAt = Date.now()
    Promise.all(peers.map(async peer => await client.request({ method: 'getMessages', peerId: peer.peerId, channel: reading, limit: POPUP_FIRST_PAGE })))
      .then((pages) => {
        if (mine !== generation) return
        error.textContent = ''
        const messages = pages.flat().sort((a, b) => a.at - b.at).slice(-POPUP_FIRST_PAGE)
        list.replaceChildren(...(messages.length === 0 ? [h('li', { className: 'muted' }, t('channelEmpty'))] : messages.map(item)))
      }, (err: unknown) => { if (mine === generation) error.textContent = errorText(err) })
  }

  return {
    toggle (next, title) {
      channel = channel === next ? undefined : next
      root.hidden = channel == null
      list.replaceChildren()
      if (channel == null) return
      heading.textContent = t('channelHeading', title)
      load()
    },
    get shown () { return channel },
    render (status) {
      peers = status.peers
      if (channel == null) return
      // The app was refused or revoked and is gone from the list: nothing of it to show.
      if (!status.clients.some(c => c.client === channel)) {
        channel = undefined
        root.hidden = true
        return
      }
      // At most one read per interval, and always one after the last change.
      const wait = loadedAt + RELOAD_EVERY_MS - Date.now()
      if (wait <= 0) load()
      else later ??= setTimeout(() => { later = undefined; load() }, wait)
    }
  }
}
