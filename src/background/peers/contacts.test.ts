import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { MAX_PEERS } from '../../common/constants.ts'
import { UnknownPeerError, ValidationError, type ResourceLimitError } from '../../common/errors/index.ts'
import { Contacts } from './contacts.ts'
import { makeMemoryStorage, makeSlowStorage } from '../profile/index.ts'

const newPeerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const self = await newPeerId()
const other = await newPeerId()
const third = await newPeerId()

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

  it('keeps the addresses a contact is added with, newest first with those learned, capped, persisted', async () => {
    const storage = makeMemoryStorage()
    const contacts = new Contacts(storage, () => self)
    const at = (port: number): string => `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${third}/p2p-circuit/p2p/${other}`
    await contacts.add(other, 'Bob', { addresses: [at(1), at(2)] })
    expect((await new Contacts(storage, () => self).get(other)).addresses).toEqual([at(1), at(2)])
    await contacts.learnAddresses(other, [at(3)])
    // Added again from a newer card: its addresses come first, the known ones stay behind them.
    await contacts.add(other, '', { addresses: Array.from({ length: 8 }, (_, i) => at(10 + i)) })
    const bob = await new Contacts(storage, () => self).get(other)
    expect(bob.name).toBe('Bob')
    expect(bob.addresses).toEqual(Array.from({ length: 8 }, (_, i) => at(10 + i)))
    await contacts.add(third)
    expect((await contacts.get(third)).addresses).toBeUndefined()
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

  describe('changes running at the same time', () => {
    const slowStorage = makeSlowStorage
    it('keeps a contact added while another is touched', async () => {
      const storage = slowStorage()
      const contacts = new Contacts(storage, () => self)
      await contacts.add(other)
      await Promise.all([contacts.touch(other, 5_000_000), contacts.add(third, 'Carol')])
      const stored = await new Contacts(storage, () => self).list()
      expect(stored.map(c => c.peerId).sort()).toEqual([other, third].sort())
      expect(stored.find(c => c.peerId === other)?.lastSeen).toBe(5_000_000)
    })

    it('does not bring back a contact removed while it was touched', async () => {
      const storage = slowStorage()
      const contacts = new Contacts(storage, () => self)
      await contacts.add(other)
      await Promise.all([contacts.touch(other, 5_000_000), contacts.remove(other)])
      expect(await new Contacts(storage, () => self).list()).toEqual([])
      expect(await contacts.has(other)).toBe(false)
    })

    it('keeps both of two contacts added at once, and the removal of one leaves the other', async () => {
      const storage = slowStorage()
      const contacts = new Contacts(storage, () => self)
      await Promise.all([contacts.add(other), contacts.add(third)])
      expect((await new Contacts(storage, () => self).list()).length).toBe(2)
      await Promise.all([contacts.remove(other), contacts.add(third, 'Carol')])
      expect((await new Contacts(storage, () => self).list()).map(c => [c.peerId, c.name])).toEqual([[third, 'Carol']])
    })
  })

  it('makes room for the user by evicting the oldest auto-accepted stranger with no conversation', async () => {
    const strangers = await Promise.all(Array.from({ length: MAX_PEERS }, async () => await newPeerId()))
    const conversed = new Set([strangers[0]])
    const storage = makeMemoryStorage()
    await storage.set('contacts', strangers.map((peerId, i) => ({ peerId, name: '', addedAt: i, lastSeen: null, auto: true })))
    const contacts = new Contacts(storage, () => self, async peerId => conversed.has(peerId))
    await contacts.add(other, 'Bob')
    const ids = (await contacts.list()).map(c => c.peerId)
    expect(ids).toHaveLength(MAX_PEERS)
    expect(ids).toContain(other)
    // The oldest stranger had a conversation and stays; the next oldest made room.
    expect(ids).toContain(strangers[0])
    expect(ids).not.toContain(strangers[1])
  })

  it('refuses a new contact over the cap when every contact is the user\'s own or has a conversation', async () => {
    const storage = makeMemoryStorage()
    await storage.set('contacts', Array.from({ length: MAX_PEERS }, (_, i) => ({ peerId: `p${i}`, name: '', addedAt: i, lastSeen: null })))
    const err = await new Contacts(storage, () => self, async () => false).add(other).catch((e: unknown) => e)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'peers', limit: MAX_PEERS, current: MAX_PEERS + 1 })
  })

  it('keeps each contact in its own entry: an old single list is moved in order, and a change writes one contact', async () => {
    const storage = makeMemoryStorage()
    await storage.set('contacts', [{ peerId: third, name: 'Carol', addedAt: 5, lastSeen: null }, { peerId: other, name: 'Bob', addedAt: 5, lastSeen: null }])
    const ids = [third, other].sort()
    expect((await new Contacts(storage, () => self).list()).map(c => c.peerId)).toEqual(ids)
    expect(await storage.get('contacts')).toBeUndefined()
    const writes: string[] = []
    const counting = { ...storage, set: async (key: string, value: unknown) => { writes.push(key); await storage.set(key, value) } }
    const contacts = new Contacts(counting, () => self)
    await contacts.add(other, 'Robert')
    await contacts.touch(third, 1_000_000)
    expect(writes).toEqual([`contact/${other}`, `contact/${third}`])
    const reloaded = await new Contacts(storage, () => self).list()
    expect(reloaded.map(c => [c.peerId, c.name, c.lastSeen])).toEqual(ids.map(id => id === other ? [other, 'Robert', null] : [third, 'Carol', 1_000_000]))
  })
})
