import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { shortId } from '../common/short-id.ts'
import { t } from '../ui/i18n.ts'

/** Unknown peers that tried to connect, each with accept and refuse; hidden when there are none. */
export function mountRequestsPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const list = h('ul', { 'aria-label': t('requestsList') })
  const error = h('p', { className: 'error', role: 'alert' })
  root.replaceChildren(h('h2', { id: 'requests-heading' }, t('requestsHeading')), h('p', { className: 'muted' }, t('requestsHelp')), list, error)
  root.hidden = true

  const act = (action: Promise<unknown>): void => {
    error.textContent = ''
    action.catch((err: unknown) => { error.textContent = errorText(err) })
  }

  return {
    render (status) {
      root.hidden = status.requests.length === 0
      list.replaceChildren(...status.requests.map((request) => {
        const accept = h('button', { type: 'button', className: 'primary' }, t('accept'))
        const refuse = h('button', { type: 'button' }, t('refuse'))
        accept.addEventListener('click', () => { act(client.request({ method: 'acceptRequest', peerId: request.peerId })) }, { signal })
        refuse.addEventListener('click', () => { act(client.request({ method: 'refuseRequest', peerId: request.peerId })) }, { signal })
        return h('li', { className: 'row request' },
          h('span', { className: 'grow', title: request.peerId }, shortId(request.peerId),
            h('span', { className: 'muted' }, ` · ${t('requestAttempts', String(request.attempts))}`)),
          accept, refuse)
      }))
    }
  }
}
