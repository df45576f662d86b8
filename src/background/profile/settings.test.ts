import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ResourceLimitError, ValidationError } from '../../common/errors/index.ts'
import { makeMemoryStorage, makeSlowStorage } from './key-value-store.ts'
import { DEFAULT_SETTINGS, SettingsStore } from './settings.ts'

const relayId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const relay = (port: number): string => `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${relayId}`

describe('SettingsStore', () => {
  it('starts from the defaults: no relays and no public STUN', async () => {
    expect(await new SettingsStore(makeMemoryStorage()).get()).toEqual(DEFAULT_SETTINGS)
    expect(DEFAULT_SETTINGS.iceServers).toEqual([])
  })

  it('stores valid relays, without duplicates', async () => {
    const store = new SettingsStore(makeMemoryStorage())
    await store.setRelays([relay(1), ` ${relay(1)} `, relay(2)])
    expect((await store.get()).relays).toEqual([relay(1), relay(2)])
  })

  it('changes nothing when one address is invalid, and names it', async () => {
    const store = new SettingsStore(makeMemoryStorage())
    await store.setRelays([relay(1)])
    const err = await store.setRelays([relay(2), 'garbage']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).data.field).toBe('relay address 2')
    expect((await store.get()).relays).toEqual([relay(1)])
  })

  it('changes limits and the accept-anyone switch, validated, persisted', async () => {
    const storage = makeMemoryStorage()
    const store = new SettingsStore(storage)
    await store.setLimits({ maxConnections: 7 })
    await store.setAcceptUnknownPeers(true)
    const reloaded = await new SettingsStore(storage).get()
    expect(reloaded.limits.maxConnections).toBe(7)
    expect(reloaded.limits.maxMessageBytes).toBe(DEFAULT_SETTINGS.limits.maxMessageBytes)
    expect(reloaded.acceptUnknownPeers).toBe(true)
    await expect(store.setLimits({ maxConnections: -1 })).rejects.toBeInstanceOf(ValidationError)
    await expect(store.setAcceptUnknownPeers('yes')).rejects.toBeInstanceOf(ValidationError)
    expect((await store.get()).limits.maxConnections).toBe(7)
  })

  it('stores ICE servers normalised, and on any error keeps the old ones and names the field', async () => {
    const storage = makeMemoryStorage()
    const store = new SettingsStore(storage)
    await store.setIceServers([{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:turn.example:3478?transport=udp'], username: 'u', credential: 'c' }])
    const saved = [{ urls: ['stun:127.0.0.1:3478'] }, { urls: ['turn:turn.example:3478?transport=udp'], username: 'u', credential: 'c' }]
    expect((await new SettingsStore(storage).get()).iceServers).toEqual(saved)

    const bad = await store.setIceServers([{ urls: 'stun:ok.example' }, { urls: ['stun:ok.example', 'https://nope.example'] }]).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(ValidationError)
    expect((bad as ValidationError).data.field).toBe('iceServers.1.urls.1')
    const tooMany = await store.setIceServers(Array.from({ length: 9 }, () => ({ urls: 'stun:s.example' }))).catch((e: unknown) => e)
    expect((tooMany as ResourceLimitError).data).toEqual({ limitType: 'ice-servers', limit: 8, current: 9 })
    expect((await store.get()).iceServers).toEqual(saved)

    await store.setIceServers([])
    expect((await store.get()).iceServers).toEqual([])
  })

  it('bounds the number of relays', async () => {
    const store = new SettingsStore(makeMemoryStorage())
    const err = await store.setRelays(Array.from({ length: 17 }, (_, i) => relay(1000 + i))).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLimitError)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'relays', limit: 16, current: 17 })
  })

  it('keeps both of two changes made at once', async () => {
    const slow = makeSlowStorage()
    const store = new SettingsStore(slow)
    await Promise.all([store.setLimits({ maxConnections: 7 }), store.setAcceptUnknownPeers(true), store.setLimits({ historyPerPeer: 99 })])
    const saved = await new SettingsStore(slow.inner).get()
    expect(saved.limits.maxConnections).toBe(7)
    expect(saved.limits.historyPerPeer).toBe(99)
    expect(saved.acceptUnknownPeers).toBe(true)
  })
})
