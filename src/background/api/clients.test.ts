import { describe, expect, it } from 'vitest'
import type { ClientId } from '../../common/client-id.ts'
import { MAX_CLIENTS, MAX_PEER_CLIENT_REQUESTS, MAX_PEER_CLIENT_REQUESTS_PER_HOUR } from '../../common/constants.ts'
import { ResourceLimitError } from '../../common/errors/index.ts'
import { Clients } from './clients.ts'
import { makeMemoryStorage, makeSlowStorage } from '../profile/index.ts'

const ext = (i: number): ClientId => `extension:client-${i}@example.org`

describe('Clients', () => {
  it('lists a refused client as a request, counts its attempts, and keeps it across restarts', async () => {
    const storage = makeMemoryStorage()
    let now = 1000
    const clients = await Clients.load(storage, () => now)
    await clients.refused(ext(1))
    now = 2000
    await clients.refused(ext(1))
    expect(clients.list()).toEqual([{ client: ext(1), kind: 'extension', state: 'requested', requestedBy: 'client', attempts: 2, firstAt: 1000, lastAt: 2000, waiting: 0 }])
    await clients.allow(ext(1))
    expect((await Clients.load(storage)).allowed(ext(1))).toBe(true)
  })

  it('makes room for a new request by dropping the oldest one, never an allowed client', async () => {
    let now = 0
    const clients = await Clients.load(makeMemoryStorage(), () => now++)
    await clients.allow(ext(0))
    for (let i = 1; i <= MAX_CLIENTS; i++) await clients.refused(ext(i))
    expect(clients.list()).toHaveLength(MAX_CLIENTS)
    expect(clients.allowed(ext(0))).toBe(true)
    expect(clients.list().some(c => c.client === ext(1))).toBe(false)
  })

  it('refuses to allow more than the cap', async () => {
    const clients = await Clients.load(makeMemoryStorage())
    for (let i = 0; i < MAX_CLIENTS; i++) await clients.allow(ext(i))
    await expect(clients.allow(ext(MAX_CLIENTS))).rejects.toMatchObject({ name: ResourceLimitError.name, data: { limitType: 'clients', limit: MAX_CLIENTS, current: MAX_CLIENTS + 1 } })
    // Full of allowed clients, a stranger's request is refused without being listed.
    await clients.refused(ext(999))
    expect(clients.list()).toHaveLength(MAX_CLIENTS)
  })

  it('never lets a peer\'s messages push out the requests of clients on this browser, and says which came from peers', async () => {
    let now = 0
    const clients = await Clients.load(makeMemoryStorage(), () => now++)
    for (let i = 0; i < MAX_CLIENTS; i++) await clients.refused(ext(i))
    // A contact sends one message on each of many channels it made up.
    for (let i = 0; i < 50; i++) await clients.waiting(ext(1000 + i), 1)
    const listed = clients.list()
    for (let i = 0; i < MAX_CLIENTS; i++) expect(listed.find(c => c.client === ext(i)), ext(i)).toMatchObject({ state: 'requested', requestedBy: 'client', attempts: 1 })
    const fromPeers = listed.filter(c => c.requestedBy === 'peers')
    expect(fromPeers.length).toBeGreaterThan(0)
    expect(fromPeers.every(c => c.state === 'requested' && c.attempts === 0 && c.waiting === 1)).toBe(true)
  })

  it('lists channels only peers named apart: at most a few new ones an hour, a bounded number in all, gone once nothing waits for them', async () => {
    let now = 0
    const clients = await Clients.load(makeMemoryStorage(), () => now)
    const fromPeers = (): string[] => clients.list().filter(c => c.requestedBy === 'peers').map(c => c.client)
    for (let i = 0; i < 10; i++) await clients.waiting(ext(i), 1)
    expect(fromPeers()).toHaveLength(MAX_PEER_CLIENT_REQUESTS_PER_HOUR)
    // More messages for a listed one are counted; an hour later, a few more may be listed.
    await clients.waiting(ext(0), 2)
    expect(clients.list().find(c => c.client === ext(0))?.waiting).toBe(3)
    for (let hour = 1; hour < 10; hour++) {
      now = hour * 3600_000
      for (let i = 0; i < 10; i++) await clients.waiting(ext(hour * 100 + i), 1)
    }
    expect(fromPeers()).toHaveLength(MAX_PEER_CLIENT_REQUESTS)
    // Their messages expired: nothing waits, and they leave the list; a request of a client on this browser stays.
    await clients.refused(ext(5000))
    await clients.setWaiting(new Map([[ext(0), 3]]))
    expect(fromPeers()).toEqual([ext(0)])
    expect(clients.list().map(c => c.client)).toContain(ext(5000))
    // A channel peers named that then asks here itself is its own request from then on.
    await clients.refused(ext(0))
    expect(clients.list().find(c => c.client === ext(0))).toMatchObject({ requestedBy: 'client', attempts: 1, waiting: 3 })
  })

  it('loses no change when changes overlap on slow storage', async () => {
    const storage = makeSlowStorage()
    const clients = await Clients.load(storage)
    await Promise.all([clients.allow(ext(1)), clients.refused(ext(2)), clients.waiting(ext(3), 4), clients.allow(ext(4))])
    const again = await Clients.load(storage.inner)
    expect(again.list().map(c => [c.client, c.state, c.waiting]).sort()).toEqual([
      [ext(1), 'allowed', 0], [ext(2), 'requested', 0], [ext(3), 'requested', 4], [ext(4), 'allowed', 0]
    ].sort())
  })
})
