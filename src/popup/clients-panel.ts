import type { PeerlinkClient } from '../api/client.ts'
import type { ClientView, Status } from '../api/protocol.ts'
import { describeClient } from '../common/client-id.ts'
import { errorText, h, keepingFocus } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'
import { mountChannelView } from './channel-view.ts'

/** What the user reads for a client: the site's origin, or the other extension's id. */
function clientName (view: ClientView): string {
  const described = describeClient(view.client)
  return described.kind === 'origin' ? described.origin : described.extensionId
}

/**
 * Other extensions and sites: those asking to use Peerlink (Allow, Refuse)
 * and those allowed (Revoke), each with its messages to read; hidden when
 * there are none.
 */
export function mountClientsPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const list = h('ul', { 'aria-label': t('clientsList') })
  const error = h('p', { className: 'error', role: 'alert' })
  const channelRoot = h('div', { id: 'channel-view', className: 'channel-view' })
  const channel = mountChannelView(channelRoot, client)
  root.replaceChildren(h('h2', { id: 'clients-heading' }, t('clientsHeading')), h('p', { className: 'muted' }, t('clientsHelp')), list, error, channelRoot)
  root.hidden = true

  const act = (action: Promise<unknown>): void => {
    error.textContent = ''
    action.catch((err: unknown) => { error.textContent = errorText(err) })
  }
  const button = (label: string, primary: boolean, action: () => Promise<unknown>): HTMLButtonElement => {
    const el = h('button', { type: 'button', className: primary ? 'primary' : undefined }, label)
    el.addEventListener('click', () => { act(action()) }, { signal })
    return el
  }

  /** Each app's Messages button says whether its channel is the one shown. */
  const showToggles = (): void => {
    for (const read of list.querySelectorAll<HTMLButtonElement>('button.read-channel')) {
      const open = channel.shown === read.dataset.channel
      read.setAttribute('aria-expanded', String(open))
      read.textContent = t(open ? 'hideChannel' : 'showChannel')
    }
  }

  return {
    render (status) {
      const clients = status.clients ?? []
      root.hidden = clients.length === 0
      // A status event redraws the rows; a person tabbing through them keeps their place.
      keepingFocus(list, () => list.replaceChildren(...clients.map((view) => {
        // Whether the app itself asked on this browser, or only contacts sent messages for it (a channel a peer chose).
        const fromPeers = view.state === 'requested' && view.requestedBy === 'peers'
        const facts = view.state === 'allowed'
          ? t('clientAllowedState')
          : fromPeers ? t('clientNamedByPeers') : t('clientAsks', String(view.attempts))
        const waiting = view.waiting > 0 ? ` · ${t(fromPeers ? 'clientWaitingFromPeers' : 'clientWaiting', String(view.waiting))}` : ''
        const actions = view.state === 'requested'
          ? [
              button(t('allowClient'), true, async () => await client.request({ method: 'allowClient', client: view.client })),
              button(t('refuse'), false, async () => await client.request({ method: 'refuseClient', client: view.client }))
            ]
          : [button(t('revokeClient'), false, async () => await client.request({ method: 'revokeClient', client: view.client }))]
        const read = h('button', { type: 'button', className: 'read-channel', 'data-channel': view.client, 'aria-controls': 'channel-view' })
        read.addEventListener('click', () => { channel.toggle(view.client, clientName(view)); showToggles() }, { signal })
        return h('li', { className: 'row client', 'data-key': view.client, 'data-client': view.client, 'data-state': view.state, 'data-requested-by': view.requestedBy },
          h('span', { className: 'grow', title: view.client }, h('span', { className: 'client-name' }, clientName(view)),
            h('span', { className: 'muted' }, ` · ${facts}${waiting}`)),
          read, ...actions)
      })))
      showToggles()
      channel.render(status)
    }
  }
}
