import type { PeerlinkClient } from '../api/client.ts'
import { h } from '../ui/dom.ts'
import { formatBytes } from '../ui/format.ts'
import { t } from '../ui/i18n.ts'

/**
 * How often the figure is read again while the status keeps changing: the
 * browser's estimate is itself coarse, and a status comes every 50 ms while
 * messages flow.
 */
const READ_EVERY_MS = 5_000

/** How much the conversations take on disk, and how much the browser lets Peerlink keep; read when the status changes, at most every few seconds. */
export function mountStoragePanel (root: HTMLElement, client: PeerlinkClient): { render: () => void } {
  const line = h('p', { id: 'storage-used' }, t('storageUnknown'))
  root.replaceChildren(h('h2', { id: 'storage-heading' }, t('storageHeading')), line, h('p', { className: 'muted' }, t('storageHelp')))
  let lastRead = -Infinity
  let scheduled: ReturnType<typeof setTimeout> | undefined
  const read = async (): Promise<void> => {
    lastRead = Date.now()
    const { storage } = await client.request({ method: 'diagnostics' })
    line.textContent = storage.usedBytes == null || storage.quotaBytes == null
      ? t('storageUnknown')
      : t('storageUsed', formatBytes(storage.usedBytes), formatBytes(storage.quotaBytes))
  }
  return {
    render () {
      // A change while a read waits is covered by that read: it happens after it.
      if (scheduled != null) return
      scheduled = setTimeout(() => {
        scheduled = undefined
        read().catch(() => {})
      }, Math.max(0, lastRead + READ_EVERY_MS - Date.now()))
    }
  }
}
