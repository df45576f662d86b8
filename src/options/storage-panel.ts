import type { PeerlinkClient } from '../api/client.ts'
import { h } from '../ui/dom.ts'
import { formatBytes } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'

/** How much the conversations take on disk, and how much the browser lets Peerlink keep; read when the status changes. */
export function mountStoragePanel (root: HTMLElement, client: PeerlinkClient): { render: () => void } {
  const line = h('p', { id: 'storage-used' }, t('storageUnknown'))
  root.replaceChildren(h('h2', { id: 'storage-heading' }, t('storageHeading')), line, h('p', { className: 'muted' }, t('storageHelp')))
  let reading = false
  return {
    render () {
      if (reading) return
      reading = true
      client.request({ method: 'diagnostics' })
        .then(({ storage }) => {
          line.textContent = storage.usedBytes == null || storage.quotaBytes == null
            ? t('storageUnknown')
            : t('storageUsed', formatBytes(storage.usedBytes), formatBytes(storage.quotaBytes))
        }, () => {})
        .finally(() => { reading = false })
    }
  }
}
