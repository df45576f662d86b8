type Child = Node | string | null | undefined | false
type Props = Record<string, string | number | boolean | ((event: Event) => void) | undefined>

/** Builds an element: `h('button', { type: 'button', onclick }, 'Send')`. */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value)
    else if (name === 'className') el.className = String(value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) {
    if (child != null && child !== false) el.append(child)
  }
  return el
}

/** The text of an error for a person: the message, without the class name. */
export function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** What can take the keyboard's focus in a row. */
export const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]'

/**
 * Runs `rebuild`, which replaces `root`'s rows (elements with `data-key`),
 * and keeps the keyboard's place: a control focused before is focused again
 * in the row with the same key, else the first control left in `root`, else
 * `fallback`'s. Without it, a row redrawn under the focus drops focus to
 * the page's start.
 */
export function keepingFocus (root: HTMLElement, rebuild: () => void, fallback?: () => HTMLElement | null): void {
  const active = document.activeElement
  if (!(active instanceof HTMLElement) || !root.contains(active)) {
    rebuild()
    return
  }
  const row = active.closest<HTMLElement>('[data-key]')
  const index = row == null ? -1 : [...row.querySelectorAll(FOCUSABLE)].indexOf(active)
  rebuild()
  if (document.activeElement === active) return
  const same = [...root.querySelectorAll<HTMLElement>('[data-key]')].find(r => r.dataset.key === row?.dataset.key)
  const next = same?.querySelectorAll<HTMLElement>(FOCUSABLE)[index] ?? (root.hidden ? null : root.querySelector<HTMLElement>(FOCUSABLE)) ?? fallback?.()
  next?.focus({ preventScroll: true })
}
