import { describe, expect, it } from 'vitest'
import { loadOrCreateIdentity } from './identity.ts'
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

  it('gives different stores different identities', async () => {
    const a = await loadOrCreateIdentity(makeMemoryStorage())
    const b = await loadOrCreateIdentity(makeMemoryStorage())
    expect(a.peerId).not.toBe(b.peerId)
  })
})
