/**
 * The content scripts that give an allowed web origin `window.peerlink`:
 * registered when the user allows the origin, gone when the user revokes
 * it. The browser APIs come in as parameters (fakes in tests); `scripting`
 * as a getter, since it exists only once the user granted that optional
 * permission.
 */
import type { Browser, Manifest, Permissions, Scripting } from 'webextension-polyfill'
import { LEGACY_SITE_KEY_PREFIX, originOfBridgeId, SITE_SCRIPT_FILES, sitePattern, siteScriptIds, matchPatternsNamePorts } from '../../api/allowed-site.ts'
import { originClient } from '../../common/client-id.ts'
import { ValidationError } from '../../common/errors/index.ts'
import type { KeyValueStore } from '../profile/index.ts'

export interface SiteScriptsApis {
  /** `browser.scripting`, or undefined while the optional `scripting` permission is not granted. */
  scripting: () => Pick<Scripting.Static, 'registerContentScripts' | 'unregisterContentScripts' | 'getRegisteredContentScripts'> | undefined
  permissions: Pick<Permissions.Static, 'contains' | 'remove'>
  /** Whether match patterns can name a port (Chrome) or not (Firefox). */
  portsInPatterns: boolean
}

export interface SiteScripts {
  /** Registers the bridge and `window.peerlink` for `origin`; a `ValidationError` when Peerlink may not run there (yet). */
  registerSite: (origin: string) => Promise<void>
  /** Unregisters `origin`'s scripts and gives back its host permission (and `scripting`, with the last site). */
  unregisterSite: (origin: string) => Promise<void>
  /** The origins whose scripts are registered. */
  registeredSites: () => Promise<string[]>
}

/** The real APIs, from `webextension-polyfill`'s `browser`. */
export function siteScriptsApis (browser: Browser): SiteScriptsApis {
  return {
    // Read at each call: the namespace appears only once the permission is granted.
    scripting: () => (browser as Partial<Browser>).scripting,
    permissions: browser.permissions,
    portsInPatterns: matchPatternsNamePorts(browser.runtime.getURL(''))
  }
}

/** The origin a client id or origin names, checked: an `http(s)` origin as `URL.origin` writes it. */
function checkedOrigin (origin: string): string {
  if (originClient(origin) == null) throw new ValidationError('client', `${origin} is not a web origin Peerlink can serve (http or https, as URL.origin writes it)`)
  return origin
}

/** Makes the register/unregister functions over `apis`. */
export function makeSiteScripts (apis: SiteScriptsApis): SiteScripts {
  const registeredIds = async (ids?: string[]): Promise<string[]> => {
    const scripting = apis.scripting()
    if (scripting == null) return []
    return (await scripting.getRegisteredContentScripts(ids == null ? undefined : { ids })).map(s => s.id)
  }
  const registeredSites = async (): Promise<string[]> =>
    (await registeredIds()).map(originOfBridgeId).filter((origin): origin is string => origin != null)

  return {
    registeredSites,

    async registerSite (origin) {
      checkedOrigin(origin)
      const pattern = sitePattern(origin, apis.portsInPatterns)
      const scripting = apis.scripting()
      const granted = scripting != null && await apis.permissions.contains({ permissions: ['scripting'], origins: [pattern] })
      if (!granted) throw new ValidationError('client', `grant Peerlink access to ${origin} first: Allow this site in the popup`)
      const ids = siteScriptIds(origin)
      // Registering an id twice is an error: replace what an earlier allow left.
      const existing = await registeredIds([ids.bridge, ids.page])
      if (existing.length > 0) await scripting.unregisterContentScripts({ ids: existing })
      const common: Omit<Scripting.RegisteredContentScript, 'id'> = { matches: [pattern], runAt: 'document_start', allFrames: false, persistAcrossSessions: true }
      await scripting.registerContentScripts([
        { ...common, id: ids.bridge, js: [SITE_SCRIPT_FILES.bridge] },
        { ...common, id: ids.page, js: [SITE_SCRIPT_FILES.page], world: 'MAIN' }
      ])
    },

    async unregisterSite (origin) {
      checkedOrigin(origin)
      const ids = siteScriptIds(origin)
      const existing = await registeredIds([ids.bridge, ids.page])
      if (existing.length > 0) await apis.scripting()?.unregisterContentScripts({ ids: existing })
      // Without ports in patterns, another allowed port of the same host may still need the host's pattern.
      const pattern = sitePattern(origin, apis.portsInPatterns)
      const others = await registeredSites()
      const origins = others.some(other => sitePattern(other, apis.portsInPatterns) === pattern) ? [] : [pattern]
      const permissions: Manifest.OptionalPermission[] = others.length === 0 ? ['scripting'] : []
      if (origins.length > 0 || permissions.length > 0) await apis.permissions.remove({ origins, permissions })
    }
  }
}

const LEGACY_SITE_KEYS_REMOVED = 'site.legacyKeysRemoved'

/**
 * Removes the `site:<origin>` records earlier versions kept in
 * `storage.local` for the bridge to read (it asks the worker now), once:
 * in Firefox content scripts can still read that storage.
 */
export async function removeLegacySiteRecords (storage: KeyValueStore): Promise<void> {
  if (await storage.get<boolean>(LEGACY_SITE_KEYS_REMOVED) === true) return
  const keys = (await storage.entries(LEGACY_SITE_KEY_PREFIX)).map(([key]) => key)
  if (keys.length > 0) await storage.remove(keys)
  await storage.set(LEGACY_SITE_KEYS_REMOVED, true)
}
