/**
 * The content scripts that give an allowed web origin `window.peerlink`:
 * registered when the user allows the origin, gone when the user revokes
 * it. The browser APIs come in as parameters (fakes in tests); `scripting`
 * as a getter, since it exists only once the user granted that optional
 * permission.
 */
import type { Browser, Manifest, Permissions, Scripting, Storage } from 'webextension-polyfill'
import { originOfBridgeId, SITE_SCRIPT_FILES, sitePattern, siteScriptIds, siteStorageKey, matchPatternsNamePorts } from '../../api/allowed-site.ts'
import { originClient } from '../../common/client-id.ts'
import { ValidationError } from '../../common/errors/index.ts'

export interface SiteScriptsApis {
  /** `browser.scripting`, or undefined while the optional `scripting` permission is not granted. */
  scripting: () => Pick<Scripting.Static, 'registerContentScripts' | 'unregisterContentScripts' | 'getRegisteredContentScripts'> | undefined
  permissions: Pick<Permissions.Static, 'contains' | 'remove'>
  /** Where an allowed origin is recorded for the bridge's own check (`storage.local`). */
  storage: Pick<Storage.StorageArea, 'set' | 'remove'>
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
    storage: browser.storage.local,
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
      // Recorded before the scripts can run, so the bridge finds it on the first page.
      await apis.storage.set({ [siteStorageKey(origin)]: true })
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
      await apis.storage.remove(siteStorageKey(origin))
      // Without ports in patterns, another allowed port of the same host may still need the host's pattern.
      const pattern = sitePattern(origin, apis.portsInPatterns)
      const others = await registeredSites()
      const origins = others.some(other => sitePattern(other, apis.portsInPatterns) === pattern) ? [] : [pattern]
      const permissions: Manifest.OptionalPermission[] = others.length === 0 ? ['scripting'] : []
      if (origins.length > 0 || permissions.length > 0) await apis.permissions.remove({ origins, permissions })
    }
  }
}
