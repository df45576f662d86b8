/** Firefox's manifest, derived at build time from Chrome's `manifest.json`. */

/** The add-on's id in Firefox: its storage and its moz-extension:// origin are keyed on it. */
export const GECKO_ID = 'peerlink@peerlink.dev'

/** Where the Firefox build's background page lands under `dist/firefox`. */
export const FIREFOX_BACKGROUND_PAGE = 'firefox/background.html'

type Manifest = Record<string, unknown> & { permissions?: string[], optional_permissions?: string[], optional_host_permissions?: string[], action?: unknown }

/**
 * Manifest V2 with a persistent background page: Firefox has no offscreen
 * documents, and an MV3 event page is suspended with its WebRTC connections
 * about 30 s after its last extension event. Manifest V2 has no
 * `optional_host_permissions`: host patterns are optional permissions there.
 */
export function firefoxManifest (chrome: Manifest): Record<string, unknown> {
  const {
    manifest_version: _v, background: _b, minimum_chrome_version: _m, action, permissions = [],
    optional_permissions: optional = [], optional_host_permissions: optionalHosts = [], ...shared
  } = chrome
  const optionalPermissions = [...optional, ...optionalHosts]
  return {
    manifest_version: 2,
    ...shared,
    background: { page: FIREFOX_BACKGROUND_PAGE, persistent: true },
    permissions: permissions.filter(p => p !== 'offscreen'),
    ...(optionalPermissions.length > 0 ? { optional_permissions: optionalPermissions } : {}),
    browser_action: action,
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '142.0',
        // Peerlink sends nothing to its makers; messages go only to the user's peers.
        // 142 is the first Firefox, desktop and Android, that reads this key.
        data_collection_permissions: { required: ['none'] }
      }
    }
  }
}
