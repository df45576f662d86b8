import { describe, expect, it } from 'vitest'
import { makeMemoryStorage, type KeyValueStore } from '../profile/index.ts'
import { Unread } from './unread.ts'

describe('Unread', () => {
  it('counts per peer, shows the total, clears a peer when read, and survives a restart', async () => {
    const storage = makeMemoryStorage()
    const badges: number[] = []
    const unread = new Unread(storage, n => badges.push(n))
    await unread.add('A', 2)
    await unread.add('B', 1)
    await unread.markRead('A')
    expect(badges).toEqual([2, 3, 1])
    await unread.written()
    const restarted = new Unread(storage, n => badges.push(n))
    expect(await restarted.counts()).toEqual({ B: 1 })
    await restarted.refreshBadge()
    expect(badges.at(-1)).toBe(1)
  })

  it('writes a stream of arrivals once, with every count in it, and what came during a write in the next', async () => {
    const storage = makeMemoryStorage()
    const written: unknown[] = []
    const counting: KeyValueStore = { ...storage, set: async (key, value) => { written.push(structuredClone(value)); await storage.set(key, value) } }
    const unread = new Unread(counting, () => {})
    for (let i = 0; i < 50; i++) await unread.add(i % 2 === 0 ? 'A' : 'B', 1)
    await unread.written()
    expect(written).toEqual([{ A: 25, B: 25 }])
    await unread.add('A', 1)
    await unread.markRead('B')
    await unread.written()
    expect(written).toEqual([{ A: 25, B: 25 }, { A: 26 }])
    expect(await new Unread(storage, () => {}).counts()).toEqual({ A: 26 })
  })

  it('keeps counting when a write fails, and says so', async () => {
    const logged: string[] = []
    const failing: KeyValueStore = { ...makeMemoryStorage(), set: async () => { throw new Error('QuotaExceededError') } }
    const unread = new Unread(failing, () => {}, (format) => { logged.push(format) })
    await unread.add('A', 3)
    await unread.written()
    expect(await unread.counts()).toEqual({ A: 3 })
    expect(logged).toEqual(['unread counts not saved: %o'])
  })
})
