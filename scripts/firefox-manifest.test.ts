import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FIREFOX_BACKGROUND_PAGE, firefoxManifest, GECKO_ID } from './firefox-manifest.ts'

const chrome = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'))

describe('firefoxManifest', () => {
  const firefox = firefoxManifest(chrome)

  it('keeps the node alive in a persistent Manifest V2 background page', () => {
    expect(firefox.manifest_version).toBe(2)
    expect(firefox.background).toEqual({ page: FIREFOX_BACKGROUND_PAGE, persistent: true })
  })

  it('drops what Firefox does not have and keeps every other permission', () => {
    expect(firefox.permissions).toEqual(chrome.permissions.filter((p: string) => p !== 'offscreen'))
    expect(firefox).not.toHaveProperty('minimum_chrome_version')
    expect(firefox).not.toHaveProperty('action')
    expect(firefox.browser_action).toEqual(chrome.action)
  })

  it('asks for host patterns as optional permissions, since Manifest V2 has no optional_host_permissions', () => {
    expect(firefox).not.toHaveProperty('optional_host_permissions')
    expect(firefox.optional_permissions).toEqual([...chrome.optional_permissions, ...chrome.optional_host_permissions])
    expect(firefox.optional_permissions).toEqual(expect.arrayContaining(['scripting', 'https://*/*', 'http://*/*']))
  })

  it('keeps the shared fields as they are', () => {
    for (const key of ['name', 'short_name', 'description', 'version', 'default_locale', 'options_ui']) {
      expect(firefox[key]).toEqual(chrome[key])
    }
  })

  it('names the add-on and what Firefox requires (142: data_collection_permissions on Android too)', () => {
    expect(firefox.browser_specific_settings).toEqual({
      gecko: { id: GECKO_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } }
    })
  })
})
