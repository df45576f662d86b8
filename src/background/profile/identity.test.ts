import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../common/errors/index.ts'
import { exportKey, loadOrCreateIdentity, parseExportedKey, saveIdentity } from './identity.ts'
import { makeMemoryStorage } from './key-value-store.ts'

describe('loadOrCreateIdentity', () => {
  it('creates an Ed25519 identity once and returns the same one afterwards', async () => {
    const storage = makeMemoryStorage()
    const first = await loadOrCreateIdentity(storage)
    const second = await loadOrCreateIdentity(storage)
    expect(first.peerId).toMatch(/^12D3KooW/)
    expect(second.peerId).toBe(first.peerId)
    expect(second.privateKey).toEqual(first.privateKey)
  })

  it('moves an identity to another store through an exported key, and refuses anything else', async () => {
    const original = await loadOrCreateIdentity(makeMemoryStorage())
    const other = makeMemoryStorage()
    await loadOrCreateIdentity(other)
    const imported = parseExportedKey(exportKey(original))
    expect(imported.peerId).toBe(original.peerId)
    await saveIdentity(other, imported)
    expect((await loadOrCreateIdentity(other)).peerId).toBe(original.peerId)
    expect(() => parseExportedKey('bm90IGEga2V5')).toThrow(ValidationError)
    expect(() => parseExportedKey('')).toThrow(/paste a key/)
  })

  it('gives different stores different identities', async () => {
    const a = await loadOrCreateIdentity(makeMemoryStorage())
    const b = await loadOrCreateIdentity(makeMemoryStorage())
    expect(a.peerId).not.toBe(b.peerId)
  })
})
