import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { errorText, h, keepingFocus } from '../ui/dom.ts'
import { shortId } from '../common/short-id.ts'
import { t } from '../ui/i18n.ts'

/** Unknown peers that tried to connect, each with accept and refuse; hidden when there are none, focus then going to `afterLast`'s element. */
export function mountRequestsPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal, afterLast?: () => HTMLElement | null): { render: (status: Status) => void } {
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
      // Redrawn on every status: the focused Accept or Refuse stays focused, and the last one answered hands focus on.
      keepingFocus(root, () => {
        root.hidden = status.requests.length === 0
        list.replaceChildren(...status.requests.map((request) => {
          const accept = h('button', { type: 'button', className: 'primary' }, t('accept'))
          const refuse = h('button', { type: 'button' }, t('refuse'))
          accept.addEventListener('click', () => { act(client.request({ method: 'acceptRequest', peerId: request.peerId })) }, { signal })
          refuse.addEventListener('click', () => { act(client.request({ method: 'refuseRequest', peerId: request.peerId })) }, { signal })
          return h('li', { className: 'row request', 'data-key': request.peerId },
            h('span', { className: 'grow', title: request.peerId }, shortId(request.peerId),
              h('span', { className: 'muted' }, ` · ${t('requestAttempts', String(request.attempts))}`)),
            accept, refuse)
        }))
      }, afterLast)
    }
  }
}
