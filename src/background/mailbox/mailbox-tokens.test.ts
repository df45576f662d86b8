import { sha256 } from '@noble/hashes/sha2.js'
import { fromString as textToBytes } from 'uint8arrays'
import { describe, expect, it } from 'vitest'
import { makeMemoryStorage } from '../profile/index.ts'
import { MailboxTokens } from './mailbox-tokens.ts'

describe('mailbox tokens', () => {
  it('gives each contact its own token, the same across restarts, and registers only hashes', async () => {
    const storage = makeMemoryStorage()
    const tokens = await MailboxTokens.load(storage)
    const again = await MailboxTokens.load(storage)
    expect(tokens.forContact('alice')).toBe(again.forContact('alice'))
    expect(tokens.forContact('alice')).not.toBe(tokens.forContact('bob'))
    expect(textToBytes(tokens.forContact('alice'), 'base64url')).toHaveLength(16)
    const hashes = tokens.hashes(['alice'])
    expect(hashes).toEqual([sha256(textToBytes(tokens.card(), 'base64url')), sha256(textToBytes(tokens.forContact('alice'), 'base64url'))])
  })

  it('withdraws a removed contact\'s token from what the relays hear', async () => {
    const tokens = await MailboxTokens.load(makeMemoryStorage())
    const alice = sha256(textToBytes(tokens.forContact('alice'), 'base64url'))
    expect(tokens.hashes(['alice', 'bob'])).toContainEqual(alice)
    expect(tokens.hashes(['bob'])).not.toContainEqual(alice)
  })

  it('makes a new card token that holders of the old card no longer have, and keeps it across restarts', async () => {
    const storage = makeMemoryStorage()
    const tokens = await MailboxTokens.load(storage)
    const old = tokens.card()
    await tokens.rotateCard()
    expect(tokens.card()).not.toBe(old)
    expect((await MailboxTokens.load(storage)).card()).toBe(tokens.card())
    expect(tokens.hashes([])).not.toContainEqual(sha256(textToBytes(old, 'base64url')))
  })

  it('differs from one profile to another', async () => {
    const [a, b] = await Promise.all([MailboxTokens.load(makeMemoryStorage()), MailboxTokens.load(makeMemoryStorage())])
    expect(a.forContact('alice')).not.toBe(b.forContact('alice'))
  })
})
