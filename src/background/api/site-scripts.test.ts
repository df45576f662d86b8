import { describe, expect, it } from 'vitest'
import type { Permissions, Scripting } from 'webextension-polyfill'
import { ValidationError } from '../../common/errors/index.ts'
import { makeMemoryStorage } from '../profile/index.ts'
import { makeSiteScripts, removeLegacySiteRecords, type SiteScriptsApis } from './site-scripts.ts'

/** A browser with registered scripts and granted permissions, held in plain data. */
function fakeBrowser ({ ports = true, granted = ['scripting'] as string[], origins = [] as string[] } = {}): SiteScriptsApis & {
  scripts: Map<string, Scripting.RegisteredContentScript>, granted: Set<string>
} {
  const scripts = new Map<string, Scripting.RegisteredContentScript>()
  const grantedSet = new Set([...granted, ...origins])
  const scripting = {
    registerContentScripts: async (list: Scripting.RegisteredContentScript[]) => {
      for (const s of list) {
        if (scripts.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`)
        scripts.set(s.id, s)
      }
    },
    unregisterContentScripts: async (filter?: Scripting.ContentScriptFilter) => {
      for (const id of filter?.ids ?? [...scripts.keys()]) {
        if (!scripts.delete(id)) throw new Error(`Nonexistent script ID '${id}'`)
      }
    },
    getRegisteredContentScripts: async (filter?: Scripting.ContentScriptFilter) =>
      [...scripts.values()].filter(s => filter?.ids == null || filter.ids.includes(s.id))
  }
  return {
    scripts,
    granted: grantedSet,
    scripting: () => grantedSet.has('scripting') ? scripting : undefined,
    permissions: {
      contains: async (p: Permissions.AnyPermissions) => [...(p.permissions ?? []), ...(p.origins ?? [])].every(x => grantedSet.has(x)),
      remove: async (p: Permissions.Permissions) => {
        for (const x of [...(p.permissions ?? []), ...(p.origins ?? [])]) grantedSet.delete(x)
        return true
      }
    },
    portsInPatterns: ports
  }
}

describe('removeLegacySiteRecords', () => {
  it('removes the allowed-origin records earlier versions kept where content scripts could read them, once', async () => {
    const storage = makeMemoryStorage()
    await storage.setMany({ 'site:https://a.example': true, 'site:http://127.0.0.1:8123': true, identity: 'key', clients: [] })
    await removeLegacySiteRecords(storage)
    expect(await storage.entries('site:')).toEqual([])
    expect(await storage.get('identity')).toBe('key')
    // Done once: a later start does not read the whole storage again.
    const reads: string[] = []
    await removeLegacySiteRecords({ ...storage, entries: async (prefix) => { reads.push(prefix); return [] } })
    expect(reads).toEqual([])
  })
})

describe('makeSiteScripts', () => {
  it('registers the bridge and the MAIN-world page script for exactly that origin, at document_start, top frame only', async () => {
    const browser = fakeBrowser({ origins: ['http://127.0.0.1:8123/*'] })
    const sites = makeSiteScripts(browser)
    await sites.registerSite('http://127.0.0.1:8123')
    expect([...browser.scripts.values()]).toEqual([
      { id: 'peerlink-bridge http://127.0.0.1:8123', matches: ['http://127.0.0.1:8123/*'], js: ['/site/bridge.js'], runAt: 'document_start', allFrames: false, persistAcrossSessions: true },
      { id: 'peerlink-page http://127.0.0.1:8123', matches: ['http://127.0.0.1:8123/*'], js: ['/site/page.js'], runAt: 'document_start', allFrames: false, persistAcrossSessions: true, world: 'MAIN' }
    ])
    // Allowing again replaces the registration instead of failing on a duplicate id.
    await sites.registerSite('http://127.0.0.1:8123')
    await expect(sites.registeredSites()).resolves.toEqual(['http://127.0.0.1:8123'])
  })

  it('names a default port explicitly where patterns take ports, since a pattern without one matches every port', async () => {
    const browser = fakeBrowser({ origins: ['https://app.example:443/*'] })
    await makeSiteScripts(browser).registerSite('https://app.example')
    expect(browser.scripts.get('peerlink-page https://app.example')?.matches).toEqual(['https://app.example:443/*'])
  })

  it('refuses without the host permission or scripting, telling the user what to do', async () => {
    const noHost = makeSiteScripts(fakeBrowser())
    await expect(noHost.registerSite('https://app.example')).rejects.toThrow(ValidationError)
    await expect(noHost.registerSite('https://app.example')).rejects.toMatchObject({
      data: { field: 'client', reason: 'grant Peerlink access to https://app.example first: Allow this site in the popup' }
    })
    const noScripting = fakeBrowser({ granted: [], origins: ['https://app.example:443/*'] })
    await expect(makeSiteScripts(noScripting).registerSite('https://app.example')).rejects.toThrow(ValidationError)
    await expect(makeSiteScripts(noScripting).registeredSites()).resolves.toEqual([])
    await expect(noHost.registerSite('https://app.example/path')).rejects.toThrow(ValidationError)
  })

  it('unregisters, forgets the origin and gives back its permission, and scripting with the last site', async () => {
    const browser = fakeBrowser({ origins: ['https://a.example:443/*', 'https://b.example:443/*'] })
    const sites = makeSiteScripts(browser)
    await sites.registerSite('https://a.example')
    await sites.registerSite('https://b.example')
    await sites.unregisterSite('https://a.example')
    await expect(sites.registeredSites()).resolves.toEqual(['https://b.example'])
    expect([...browser.granted].sort()).toEqual(['https://b.example:443/*', 'scripting'])
    await sites.unregisterSite('https://b.example')
    expect(browser.granted.size).toBe(0)
    expect(browser.scripts.size).toBe(0)
    // Revoking what is not registered (scripting already gone) is harmless.
    await sites.unregisterSite('https://b.example')
  })

  it('without ports in patterns (Firefox) keeps the host permission while another port of the host is allowed', async () => {
    const browser = fakeBrowser({ ports: false, origins: ['http://127.0.0.1/*'] })
    const sites = makeSiteScripts(browser)
    await sites.registerSite('http://127.0.0.1:8123')
    await sites.registerSite('http://127.0.0.1:9000')
    expect(browser.scripts.get('peerlink-bridge http://127.0.0.1:9000')?.matches).toEqual(['http://127.0.0.1/*'])
    await sites.unregisterSite('http://127.0.0.1:8123')
    expect(browser.granted.has('http://127.0.0.1/*')).toBe(true)
    await sites.unregisterSite('http://127.0.0.1:9000')
    expect(browser.granted.size).toBe(0)
  })
})
