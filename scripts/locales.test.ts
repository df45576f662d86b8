import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
type Messages = Record<string, { message: string, placeholders?: Record<string, { content: string }> }>
const read = (locale: string): Messages => JSON.parse(readFileSync(join(root, '_locales', locale, 'messages.json'), 'utf8')) as Messages
const locales = readdirSync(join(root, '_locales'))
const english = read('en')

/** Every page, script and the manifest: where a key can be named. */
function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return /\.(ts|html)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [readFileSync(path, 'utf8')] : []
  })
}
const code = [...sources(join(root, 'src')), readFileSync(join(root, 'manifest.json'), 'utf8')].join('\n')
const limitsPanel = readFileSync(join(root, 'src/options/limits-panel.ts'), 'utf8')

/** Whether the code names `key`: as a string, a data-i18n attribute or __MSG_key__, or as one of the limit families the options page builds. */
function used (key: string): boolean {
  if (new RegExp(`['"\`]${key}['"\`]|__MSG_${key}__`).test(code)) return true
  const family = /^(limit|limitHelp|unit)_(\w+)$/.exec(key)
  return family != null && new RegExp(`\\b${family[2]!}\\b`).test(limitsPanel)
}

const placeholdersIn = (text: string): string[] => [...text.matchAll(/\$([A-Za-z_]+)\$/g)].map(m => m[1]!.toLowerCase()).sort()

describe('the locales', () => {
  it('are English and at least one more', () => {
    expect(locales).toContain('en')
    expect(locales.length).toBeGreaterThanOrEqual(2)
  })

  it('every key English has is used by the code', () => {
    expect(Object.keys(english).filter(key => !used(key))).toEqual([])
  })

  for (const locale of locales.filter(l => l !== 'en')) {
    it(`${locale} has every key English has, no other, and the same placeholders in each`, () => {
      const messages = read(locale)
      expect(Object.keys(messages).sort()).toEqual(Object.keys(english).sort())
      for (const [key, { message, placeholders }] of Object.entries(messages)) {
        expect(message.trim(), `${locale}: ${key} is empty`).not.toBe('')
        expect(placeholdersIn(message), `${locale}: ${key}'s placeholders`).toEqual(placeholdersIn(english[key]!.message))
        expect(placeholders, `${locale}: ${key}'s placeholder definitions`).toEqual(english[key]!.placeholders)
      }
    })
  }
})
