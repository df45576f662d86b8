/**
 * What Peerlink's worker, its popup and its content scripts agree on about a
 * web origin the user allowed: the match pattern that names it, the two
 * scripts it gets, and how the bridge asks whether it is allowed.
 *
 * Chrome's match patterns may name a port, and a pattern without one
 * matches every port; Chrome compares a pattern's port with the URL's
 * effective port, so `https://app.example:443/*` names exactly
 * `https://app.example`. Firefox's may not name a port at all: there the
 * scripts run on every port of the host, and the bridge asks the worker
 * whether the page's origin is allowed before it gives the page anything.
 */

/**
 * The built content scripts, from the extension's root: absolute, since
 * Firefox resolves a relative path against the page that registers or
 * injects the script (`firefox/site/…` from the background page,
 * `popup/site/…` from the popup), where no such file is.
 */
export const SITE_SCRIPT_FILES = {
  /** The isolated-world bridge between the page and Peerlink's worker. */
  bridge: '/site/bridge.js',
  /** The MAIN-world script that defines `window.peerlink`. */
  page: '/site/page.js'
} as const

const BRIDGE_ID_PREFIX = 'peerlink-bridge '
const PAGE_ID_PREFIX = 'peerlink-page '

/** The ids of an origin's two registered content scripts. */
export function siteScriptIds (origin: string): { bridge: string, page: string } {
  return { bridge: BRIDGE_ID_PREFIX + origin, page: PAGE_ID_PREFIX + origin }
}

/** The origin a registered bridge script's id names, if it is one. */
export function originOfBridgeId (id: string): string | undefined {
  return id.startsWith(BRIDGE_ID_PREFIX) ? id.slice(BRIDGE_ID_PREFIX.length) : undefined
}

/** Where versions before this one recorded an allowed origin in `storage.local`, for the bridge to read; removed at start. */
export const LEGACY_SITE_KEY_PREFIX = 'site:'

/**
 * The bridge's question to the worker: is the origin of the document it
 * runs in allowed? Answered from the sender the browser reports, like a
 * request; asking lists nothing. Content scripts may not read
 * `storage.local` (Chrome), so the answer can only come from the worker.
 */
export const SITE_CHECK_TAG = 'peerlink/site-check'

export interface SiteCheck {
  siteCheck: typeof SITE_CHECK_TAG
  /** The document's origin as the bridge sees it; checked against the sender's. */
  origin: string
}

/** The worker's answer to a `SiteCheck`. */
export interface SiteCheckAnswer {
  allowed: boolean
}

/** Whether a runtime message is the bridge's `SiteCheck`. */
export function isSiteCheck (message: unknown): message is SiteCheck {
  return typeof message === 'object' && message != null && (message as { siteCheck?: unknown }).siteCheck === SITE_CHECK_TAG
}

/** Whether this browser's match patterns can name a port: all but Firefox's (from the extension's own URL). */
export function matchPatternsNamePorts (extensionUrl: string): boolean {
  return !extensionUrl.startsWith('moz-extension:')
}

/**
 * The host permission and content-script match pattern for `origin` (an
 * `http(s)` origin as `URL.origin` writes it): with its effective port where
 * patterns take one, else the host's every port.
 */
export function sitePattern (origin: string, withPort: boolean): string {
  const url = new URL(origin)
  if (!withPort) return `${url.protocol}//${url.hostname}/*`
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'
  return `${url.protocol}//${url.hostname}:${port}/*`
}
