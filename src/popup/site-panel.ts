import browser from 'webextension-polyfill'
import type { PeerlinkClient } from '../api/client.ts'
import { matchPatternsNamePorts, SITE_SCRIPT_FILES, sitePattern } from '../api/allowed-site.ts'
import type { Status } from '../api/protocol.ts'
import { originClient, type ClientId } from '../common/client-id.ts'
import { errorText, h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

/**
 * The active tab's web origin and id, when it shows an http(s) page
 * (activeTab lets the popup read its URL). The popup opened as a page is
 * its own active tab: `?siteTab=<tab id>` names the tab to offer instead.
 */
async function activeSite (): Promise<{ tabId: number, origin: string, client: ClientId } | undefined> {
  const named = new URLSearchParams(location.search).get('siteTab')
  const [tab] = named != null ? [await browser.tabs.get(Number(named))] : await browser.tabs.query({ active: true, currentWindow: true })
  if (tab?.id == null || tab.url == null) return undefined
  let origin: string
  try {
    origin = new URL(tab.url).origin
  } catch {
    return undefined
  }
  const client = originClient(origin)
  return client == null ? undefined : { tabId: tab.id, origin, client }
}

/** Gives the open page `window.peerlink` now: the registered scripts reach only pages loaded from now on. */
async function injectInto (tabId: number): Promise<void> {
  // Top frame only (no frameIds, no allFrames); both scripts ignore a second injection.
  await browser.scripting.executeScript({ target: { tabId }, files: [SITE_SCRIPT_FILES.bridge] })
  await browser.scripting.executeScript({ target: { tabId }, files: [SITE_SCRIPT_FILES.page], world: 'MAIN' })
}

/**
 * Firefox closes a toolbar popup when a permission prompt opens over it, and
 * the request then never answers: there the flow continues in a tab of the
 * popup, which the prompt leaves open.
 */
function promptClosesPopup (): boolean {
  return browser.runtime.getURL('').startsWith('moz-extension:') && !new URLSearchParams(location.search).has('tab')
}

/**
 * "Allow this site" for the active tab's http(s) origin: asks the browser
 * for access to that origin (and `scripting`), allows the origin as a
 * client, and gives the open page `window.peerlink` at once. Hidden on
 * other pages, and once the origin is allowed.
 */
export function mountSitePanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  const help = h('p', { className: 'muted' })
  const allow = h('button', { type: 'button', className: 'primary', id: 'allow-site' }, t('siteAllow'))
  const note = h('p', { className: 'muted', role: 'status' })
  const error = h('p', { className: 'error', role: 'alert' })
  root.replaceChildren(h('h2', { id: 'site-heading' }, t('siteHeading')), help, allow, note, error)
  root.hidden = true

  let site: Awaited<ReturnType<typeof activeSite>>
  let status: Status | undefined
  const show = (): void => {
    if (site == null) { root.hidden = true; return }
    const allowed = status?.clients?.some(c => c.client === site?.client && c.state === 'allowed') === true
    root.hidden = false
    root.dataset.origin = site.origin
    root.dataset.state = allowed ? 'allowed' : 'not-allowed'
    allow.hidden = allowed
    help.textContent = allowed ? t('siteAllowed', site.origin) : t('siteHelp', site.origin)
  }
  // Read before any click: the permission request has to be the first thing the click does.
  activeSite().then((found) => { site = found; show() }, () => {})

  allow.addEventListener('click', () => {
    const target = site
    if (target == null) return
    if (promptClosesPopup()) {
      void browser.tabs.create({ url: browser.runtime.getURL(`popup/popup.html?tab&siteTab=${target.tabId}`) }).then(() => { window.close() })
      return
    }
    error.textContent = ''
    note.textContent = ''
    // Browsers grant permissions only during the click's user gesture: nothing may be awaited before this call.
    browser.permissions.request({ permissions: ['scripting'], origins: [sitePattern(target.origin, matchPatternsNamePorts(browser.runtime.getURL('')))] })
      .then(async (granted) => {
        if (!granted) { note.textContent = t('siteNotGranted'); return }
        await client.request({ method: 'allowClient', client: target.client })
        await injectInto(target.tabId)
        note.textContent = t('siteReady', target.origin)
      })
      .catch((err: unknown) => { error.textContent = errorText(err) })
  }, { signal })

  return {
    render (next) {
      status = next
      show()
    }
  }
}
