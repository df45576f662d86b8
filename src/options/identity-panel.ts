import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

/** This browser's peer id (with a copy button) and the addresses peers can reach it on. */
export function mountIdentityPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const peerId = h('code', { id: 'own-peer-id' })
  const copied = h('span', { className: 'muted', role: 'status' })
  const copy = h('button', { type: 'button' }, t('copy'))
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(peerId.textContent ?? '').then(() => { copied.textContent = t('copied') }, () => { copied.textContent = t('copyFailed') })
  }, { signal })
  const addresses = h('ul', { className: 'addresses', 'aria-label': t('ownAddresses') })

  // The key leaves the extension only here, on the user's request, after a warning.
  const keyText = h('textarea', { id: 'identity-key', rows: 3, spellcheck: 'false', autocomplete: 'off' })
  const keyError = h('p', { className: 'error', role: 'alert' })
  const keyStatus = h('p', { className: 'muted', role: 'status' })
  const exportButton = h('button', { type: 'button' }, t('exportKey'))
  const importButton = h('button', { type: 'button' }, t('importKey'))
  exportButton.addEventListener('click', () => {
    keyError.textContent = ''
    if (!confirm(t('exportKeyWarning'))) return
    client.request({ method: 'exportIdentity' }).then(({ privateKey }) => {
      keyText.value = privateKey
      keyStatus.textContent = t('keyExported')
    }, (err: unknown) => { keyError.textContent = errorText(err) })
  }, { signal })
  importButton.addEventListener('click', () => {
    keyError.textContent = ''
    if (!confirm(t('importKeyWarning'))) return
    client.request({ method: 'importIdentity', privateKey: keyText.value }).then(() => {
      keyText.value = ''
      keyStatus.textContent = t('keyImported')
    }, (err: unknown) => { keyError.textContent = errorText(err) })
  }, { signal })

  root.replaceChildren(
    h('h2', { id: 'identity-heading' }, t('identityHeading')),
    h('p', { className: 'muted' }, t('identityHelp')),
    h('div', { className: 'row' }, h('span', { className: 'grow' }, peerId), copy, copied),
    h('h2', {}, t('ownAddresses')),
    addresses,
    h('h2', {}, t('keyHeading')),
    h('p', { className: 'warning' }, t('keyHelp')),
    h('label', { for: 'identity-key' }, t('keyLabel')),
    keyText,
    h('div', { className: 'row' }, exportButton, importButton, keyStatus),
    keyError)
  return {
    render (status) {
      peerId.textContent = status.peerId ?? ''
      addresses.replaceChildren(...(status.addresses.length > 0
        ? status.addresses.map(a => h('li', {}, h('code', {}, a)))
        : [h('li', { className: 'muted' }, t('noAddresses'))]))
    }
  }
}
