import type { PeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { ValidationError } from '../common/errors/index.ts'
import { DEFAULT_LIMITS, LimitsSchema, type Limits } from '../common/limits.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

type Unit = 'count' | 'seconds' | 'kib'
const FIELDS: Array<{ key: keyof Limits, unit: Unit }> = [
  { key: 'maxConnections', unit: 'count' },
  { key: 'maxMessageBytes', unit: 'kib' },
  { key: 'maxPendingMessagesPerPeer', unit: 'count' },
  { key: 'maxPendingBytesPerPeer', unit: 'kib' },
  { key: 'maxPendingMessagesPerClient', unit: 'count' },
  { key: 'maxPendingBytesPerClient', unit: 'kib' },
  { key: 'maxInFlightBytesPerPeer', unit: 'kib' },
  { key: 'messageTtlMs', unit: 'seconds' },
  { key: 'ackTimeoutMs', unit: 'seconds' },
  { key: 'writeTimeoutMs', unit: 'seconds' },
  { key: 'inactivityTimeoutMs', unit: 'seconds' },
  { key: 'idleConnectionMs', unit: 'seconds' },
  { key: 'stuckStreamMs', unit: 'seconds' },
  { key: 'retryBaseMs', unit: 'seconds' },
  { key: 'retryCapMs', unit: 'seconds' },
  { key: 'maxAttemptsPerMinute', unit: 'count' },
  { key: 'stalePeerMs', unit: 'seconds' },
  { key: 'historyPerPeer', unit: 'count' }
]
const SCALE: Record<Unit, number> = { count: 1, seconds: 1000, kib: 1024 }

/** A limit in the unit people think in: seconds, KiB, or a count. */
function shown (value: number, unit: Unit): string {
  return String(Math.round((value / SCALE[unit]) * 1000) / 1000)
}

function range (key: keyof Limits): { min: number, max: number } {
  const pipe = (LimitsSchema.entries[key] as unknown as { pipe: Array<{ type: string, requirement?: number }> }).pipe
  return {
    min: pipe.find(p => p.type === 'min_value')?.requirement ?? 0,
    max: pipe.find(p => p.type === 'max_value')?.requirement ?? Infinity
  }
}

/** Every limit and timeout, with its default, range and a line on what it does; saved at once, applied live. */
export function mountLimitsPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const inputs = new Map<keyof Limits, { input: HTMLInputElement, error: HTMLElement }>()
  const saved = h('p', { className: 'muted', role: 'status' })
  const formError = h('p', { className: 'error', role: 'alert' })
  const rows = FIELDS.map(({ key, unit }) => {
    const id = `limit-${key}`
    const { min, max } = range(key)
    const input = h('input', { id, type: 'number', min: shown(min, unit), max: shown(max, unit), step: 'any', 'aria-describedby': `${id}-help ${id}-error` })
    const error = h('p', { className: 'error', id: `${id}-error`, role: 'alert' })
    inputs.set(key, { input, error })
    return h('div', { className: 'limit' },
      h('label', { for: id }, `${t(`limit_${key}`)} (${t(`unit_${unit}`)})`),
      input,
      h('p', { className: 'muted help', id: `${id}-help` },
        `${t(`limitHelp_${key}`)} ${t('limitDefaultRange', shown(DEFAULT_LIMITS[key], unit), shown(min, unit), shown(max, unit))}`),
      error)
  })
  const save = h('button', { type: 'submit', className: 'primary' }, t('saveLimits'))
  const reset = h('button', { type: 'button' }, t('resetDefaults'))
  // novalidate: our messages, beside the field, rather than the browser's tooltip.
  const form = h('form', { 'aria-labelledby': 'limits-heading', novalidate: true }, ...rows, h('div', { className: 'row' }, save, reset, saved), formError)

  const clearErrors = (): void => {
    formError.textContent = ''
    saved.textContent = ''
    for (const { error } of inputs.values()) error.textContent = ''
  }
  const showError = (err: unknown): void => {
    const field = err instanceof ValidationError ? inputs.get(err.data.field as keyof Limits) : undefined
    if (field != null) {
      field.error.textContent = err instanceof ValidationError ? err.data.reason : errorText(err)
      field.input.focus()
    } else {
      formError.textContent = errorText(err)
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    clearErrors()
    const change: Partial<Record<keyof Limits, number>> = {}
    for (const { key, unit } of FIELDS) {
      const { input } = inputs.get(key)!
      if (input.value.trim() === '') continue
      change[key] = Math.round(Number(input.value) * SCALE[unit])
    }
    client.request({ method: 'setLimits', limits: change }).then(() => { saved.textContent = t('limitsSaved') }, showError)
  }, { signal })
  reset.addEventListener('click', () => {
    clearErrors()
    client.request({ method: 'resetLimits' }).then(() => { saved.textContent = t('limitsReset') }, showError)
  }, { signal })

  root.replaceChildren(h('h2', { id: 'limits-heading' }, t('limitsHeading')), h('p', { className: 'muted' }, t('limitsHelp')), form)
  let last = ''
  return {
    render (status) {
      // Only when the saved values changed, so typing is never overwritten.
      const current = JSON.stringify(status.limits)
      if (current === last) return
      last = current
      for (const { key, unit } of FIELDS) inputs.get(key)!.input.value = shown(status.limits[key], unit)
    }
  }
}
