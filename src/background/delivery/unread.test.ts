import { describe, expect, it } from 'vitest'
import { makeMemoryStorage } from '../profile/index.ts'
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
    const restarted = new Unread(storage, n => badges.push(n))
    expect(await restarted.counts()).toEqual({ B: 1 })
    await restarted.refreshBadge()
    expect(badges.at(-1)).toBe(1)
  })
})
