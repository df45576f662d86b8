import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { UnknownPeerError, ValidationError } from '../common/errors/index.ts'
import { Contacts } from './contacts.ts'
import { makeMemoryStorage } from './key-value-store.ts'

const newPeerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const self = await newPeerId()
const other = await newPeerId()

describe('Contacts', () => {
  it('adds, renames, lists and removes contacts, persisting them', async () => {
    const storage = makeMemoryStorage()
    const contacts = new Contacts(storage, () => self)
    await contacts.add(other, 'Bob')
    await contacts.add(other, 'Robert')
    const reloaded = new Contacts(storage, () => self)
    expect((await reloaded.list()).map(c => [c.peerId, c.name])).toEqual([[other, 'Robert']])
    await reloaded.remove(other)
    expect(await reloaded.list()).toEqual([])
  })

  it('rejects invalid ids, itself and unknown removals without changing anything', async () => {
    const contacts = new Contacts(makeMemoryStorage(), () => self)
    await expect(contacts.add('nope')).rejects.toBeInstanceOf(ValidationError)
    await expect(contacts.add(self)).rejects.toThrow(/own peer id/)
    await expect(contacts.remove(other)).rejects.toBeInstanceOf(UnknownPeerError)
    await expect(contacts.get(other)).rejects.toBeInstanceOf(UnknownPeerError)
    expect(await contacts.list()).toEqual([])
  })

  it('records when a peer was last heard from, writing at most every 10 s', async () => {
    const storage = makeMemoryStorage()
    const contacts = new Contacts(storage, () => self)
    await contacts.add(other)
    const stored = async (): Promise<number | null | undefined> => (await new Contacts(storage, () => self).list())[0]?.lastSeen
    await contacts.touch(other, 1_000_000)
    expect(await stored()).toBe(1_000_000)
    await contacts.touch(other, 1_010_000)
    expect(await stored()).toBe(1_000_000)
    await contacts.touch(other, 1_010_001)
    expect(await stored()).toBe(1_010_001)
    await contacts.touch(self, 1_100_000)
    expect((await contacts.list()).map(c => c.peerId)).toEqual([other])
  })
})
