/** All page text comes from `_locales`, so Peerlink can be translated. */
export function t (key: string, ...substitutions: string[]): string {
  const text = chrome.i18n.getMessage(key, substitutions)
  return text === '' ? key : text
}

/** Fills every `[data-i18n]` element's text (and `data-i18n-placeholder`) from the locale. */
export function localize (root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n!)
  for (const el of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder!)
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel!))
}
