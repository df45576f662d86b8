import { describe, expect, it } from 'vitest'
import type { ClientId } from '../../common/client-id.ts'
import { MAX_CLIENTS } from '../../common/constants.ts'
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
    expect(clients.list()).toEqual([{ client: ext(1), kind: 'extension', state: 'requested', attempts: 2, firstAt: 1000, lastAt: 2000, waiting: 0 }])
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
