import type { Status } from '../api/protocol.ts'
import { h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

/** This browser's peer id (with a copy button) and the addresses peers can reach it on. */
export function mountIdentityPanel (root: HTMLElement, signal: AbortSignal): { render: (status: Status) => void } {
  const peerId = h('code', { id: 'own-peer-id' })
  const copied = h('span', { className: 'muted', role: 'status' })
  const copy = h('button', { type: 'button' }, t('copy'))
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(peerId.textContent ?? '').then(() => { copied.textContent = t('copied') }, () => { copied.textContent = t('copyFailed') })
  }, { signal })
  const addresses = h('ul', { className: 'addresses', 'aria-label': t('ownAddresses') })
  root.replaceChildren(
    h('h2', { id: 'identity-heading' }, t('identityHeading')),
    h('p', { className: 'muted' }, t('identityHelp')),
    h('div', { className: 'row' }, h('span', { className: 'grow' }, peerId), copy, copied),
    h('h2', {}, t('ownAddresses')),
    addresses)
  return {
    render (status) {
      peerId.textContent = status.peerId ?? ''
      addresses.replaceChildren(...(status.addresses.length > 0
        ? status.addresses.map(a => h('li', {}, h('code', {}, a)))
        : [h('li', { className: 'muted' }, t('noAddresses'))]))
    }
  }
}
