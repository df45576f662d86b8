import { t } from './i18n.ts'

/** 1536 → "1.5 KiB". */
export function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** How long ago, in words: "just now", "3 min ago", "2 h ago". */
export function formatAgo (at: number | null, now = Date.now()): string {
  if (at == null) return t('neverSeen')
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  if (seconds < 10) return t('seenJustNow')
  if (seconds < 3600) return t('seenMinutesAgo', String(Math.max(1, Math.round(seconds / 60))))
  if (seconds < 86_400) return t('seenHoursAgo', String(Math.round(seconds / 3600)))
  return new Date(at).toLocaleDateString()
}

/** When a message came, as a list of conversations shows it: the time today, the date before. */
export function formatWhen (at: number, now = new Date()): string {
  const day = new Date(at)
  return day.toDateString() === now.toDateString()
    ? day.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : day.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
}
