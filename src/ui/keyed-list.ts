import { FOCUSABLE } from './dom.ts'

/**
 * A list whose rows are rebuilt only when what they show changed: with a
 * thousand contacts, every status event rebuilding every row cost the page
 * (and the offscreen document, which shares its process) tens of
 * milliseconds and as much again in garbage collection.
 */
export interface KeyedList<T> {
  /** Shows `items` in order; a row whose key and signature are unchanged is kept as it is. */
  render: (items: readonly T[]) => void
}

/** Keeps `parent`'s children in step with the items, one element per key. */
export function makeKeyedList<T> (parent: HTMLElement, row: {
  key: (item: T) => string
  /** Everything the row shows: when it differs, the row is built anew. */
  signature: (item: T) => string
  build: (item: T) => HTMLElement
  /** Shown when there are no items. */
  empty: HTMLElement
}): KeyedList<T> {
  let rows = new Map<string, { signature: string, element: HTMLElement }>()
  return {
    render (items) {
      const focus = focusWithin(rows)
      const next = new Map<string, { signature: string, element: HTMLElement }>()
      for (const item of items) {
        const key = row.key(item)
        const signature = row.signature(item)
        const kept = rows.get(key)
        next.set(key, kept?.signature === signature ? kept : { signature, element: row.build(item) })
      }
      rows = next
      const elements = items.length === 0 ? [row.empty] : [...next.values()].map(r => r.element)
      // Moves and removals only where something changed: replacing every child lays the whole list out again.
      const wanted = new Set(elements)
      for (const child of [...parent.children]) if (!wanted.has(child as HTMLElement)) child.remove()
      elements.forEach((element, i) => {
        const there = parent.children[i]
        if (there !== element) parent.insertBefore(element, there ?? null)
      })
      // A row rebuilt or moved under the keyboard's focus drops it to the page's start: put it back on the same control.
      if (focus != null && document.activeElement !== focus.element) {
        const again = focusables(next.get(focus.key)?.element)[focus.index]
        again?.focus({ preventScroll: true })
      }
    }
  }
}

function focusables (row: HTMLElement | undefined): HTMLElement[] {
  return row == null ? [] : [row, ...row.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(e => e.matches(FOCUSABLE))
}

/** Which row holds the focused element, and which of its controls it is. */
function focusWithin (rows: Map<string, { element: HTMLElement }>): { key: string, index: number, element: Element } | undefined {
  const active = document.activeElement
  if (active == null) return undefined
  for (const [key, { element }] of rows) {
    if (!element.contains(active)) continue
    return { key, index: focusables(element).indexOf(active as HTMLElement), element: active }
  }
  return undefined
}
