import { describe, expect, it } from 'vitest'
import type { Contact } from './contacts.ts'
import { recentPeers, stalePeers } from './stale-peers.ts'

const HOUR = 60 * 60_000
const contact = (peerId: string, lastSeen: number | null, addedAt = 0): Contact => ({ peerId, name: '', addedAt, lastSeen })

describe('stalePeers', () => {
  it('picks peers gone for longer than the limit, and only those', () => {
    const now = 10 * HOUR
    const contacts = [contact('old', now - 2 * HOUR), contact('fresh', now - 10 * 60_000), contact('exact', now - HOUR), contact('never', null, now - 3 * HOUR)]
    expect(stalePeers(contacts, now, HOUR, () => false)).toEqual(['old', 'never'])
  })

  it('keeps a peer that is connected right now, however old its last-seen time', () => {
    const now = 10 * HOUR
    expect(stalePeers([contact('back', now - 5 * HOUR)], now, HOUR, id => id === 'back')).toEqual([])
  })
})

describe('recentPeers', () => {
  it('picks the peers heard from within the limit, never those not yet seen', () => {
    const now = 10 * HOUR
    const contacts = [contact('old', now - 2 * HOUR), contact('fresh', now - 10 * 60_000), contact('exact', now - HOUR), contact('never', null, now)]
    expect(recentPeers(contacts, now, HOUR)).toEqual(['fresh', 'exact'])
  })
})
