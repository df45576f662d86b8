import type { PeerlinkClient } from '../api/client.ts'
import type { PeerView, Status } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { makeKeyedList } from '../ui/keyed-list.ts'

/** The allowed peers with their names (editable), removal, and the accept-anyone and notifications switches. */
export function mountContactsPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const list = h('ul', { 'aria-label': t('contactsList') })
  const error = h('p', { className: 'error', role: 'alert' })
  const anyone = h('input', { type: 'checkbox', id: 'accept-anyone' })
  anyone.addEventListener('change', () => {
    error.textContent = ''
    client.request({ method: 'setAcceptUnknownPeers', accept: anyone.checked }).catch((err: unknown) => { error.textContent = errorText(err) })
  }, { signal })
  const notifications = h('input', { type: 'checkbox', id: 'notifications' })
  notifications.addEventListener('change', () => {
    error.textContent = ''
    client.request({ method: 'setNotifications', on: notifications.checked }).catch((err: unknown) => { error.textContent = errorText(err) })
  }, { signal })
  root.replaceChildren(
    h('h2', { id: 'options-contacts-heading' }, t('contactsHeading')),
    h('p', { className: 'muted' }, t('contactsHelp')),
    list,
    h('div', { className: 'row' }, anyone, h('label', { for: 'accept-anyone', className: 'inline' }, t('acceptAnyone'))),
    h('p', { className: 'muted help' }, t('acceptAnyoneHelp')),
    h('div', { className: 'row' }, notifications, h('label', { for: 'notifications', className: 'inline' }, t('notificationsLabel'))),
    h('p', { className: 'muted help' }, t('notificationsHelp')),
    error)
  const rows = makeKeyedList<PeerView>(list, {
    key: peer => peer.peerId,
    signature: peer => peer.name,
    empty: h('li', { className: 'muted' }, t('noContacts')),
    build: (peer) => {
      const name = h('input', { value: peer.name, 'aria-label': t('contactNameLabel', peer.peerId), placeholder: t('peerNameLabel') })
      name.addEventListener('change', () => {
        client.addPeer(peer.peerId, name.value).catch((err: unknown) => { error.textContent = errorText(err) })
      }, { signal })
      const remove = h('button', { type: 'button', 'aria-label': t('removeContactLabel', peer.name === '' ? peer.peerId : peer.name) }, t('remove'))
      remove.addEventListener('click', () => {
        if (!confirm(t('removeContactConfirm'))) return
        client.removePeer(peer.peerId).catch((err: unknown) => { error.textContent = errorText(err) })
      }, { signal })
      return h('li', { className: 'contact-row row' }, h('code', { className: 'grow' }, peer.peerId), name, remove)
    }
  })
  return {
    render (status) {
      anyone.checked = status.acceptUnknownPeers
      notifications.checked = status.notifications
      rows.render(status.peers)
    }
  }
}
