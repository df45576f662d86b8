import type { PeerlinkClient } from '../api/client.ts'
import type { RelayView, Status } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { formatBytes } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'

const RELAY_STATE: Record<RelayView['state'], { key: string, tone: string }> = {
  reserved: { key: 'relayReserved', tone: 'ok' },
  connecting: { key: 'relayConnecting', tone: 'busy' },
  failed: { key: 'relayFailed', tone: 'bad' }
}

/** What the relay keeps for us: whether it has a mailbox, and what waits there. */
function mailboxText ({ mailbox }: RelayView): string {
  if (mailbox == null || mailbox.state === 'unknown') return ''
  if (mailbox.state === 'none') return t('relayMailboxNone')
  if (mailbox.error != null) return t('relayMailboxError', mailbox.error)
  const waiting = mailbox.waitingEnvelopes ?? 0
  return waiting === 0 ? t('relayMailboxEmpty') : t('relayMailboxYes', `${waiting} (${formatBytes(mailbox.waitingBytes ?? 0)})`)
}

/** The relays: each with its live state and a remove button, and a validated form to add one. */
export function mountRelaysPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  let relays: string[] = []
  const list = h('ul', { 'aria-label': t('relaysList') })
  const input = h('input', { id: 'relay-address', autocomplete: 'off', spellcheck: 'false', placeholder: '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooW…' })
  const error = h('p', { className: 'error', role: 'alert' })
  const form = h('form', {},
    h('label', { for: 'relay-address' }, t('relayAddressLabel')), input,
    h('div', { className: 'row' }, h('button', { type: 'submit', className: 'primary' }, t('addRelay'))),
    error)

  const save = (next: string[]): void => {
    error.textContent = ''
    client.setRelays(next).then(() => { input.value = '' }, (err: unknown) => { error.textContent = errorText(err) })
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); save([...relays, input.value]) }, { signal })

  root.replaceChildren(h('h2', { id: 'relays-heading' }, t('relaysHeading')), h('p', { className: 'muted' }, t('relaysHelp')), list, form)
  return {
    render (status) {
      relays = status.relays.map(r => r.address)
      list.replaceChildren(...(status.relays.length > 0
        ? status.relays.map((relay) => {
          const state = RELAY_STATE[relay.state]
          const remove = h('button', { type: 'button', 'aria-label': t('removeRelayLabel', relay.address) }, t('remove'))
          remove.addEventListener('click', () => { save(relays.filter(r => r !== relay.address)) }, { signal })
          return h('li', { className: 'relay' },
            h('div', { className: 'row' },
              h('code', { className: 'grow' }, relay.address),
              h('span', { className: `badge tone-${state.tone}`, title: relay.error ?? '' }, t(state.key)),
              remove),
            h('p', { className: 'muted relay-mailbox' }, mailboxText(relay)))
        })
        : [h('li', { className: 'muted' }, t('noRelays'))]))
    }
  }
}
