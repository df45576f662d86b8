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
