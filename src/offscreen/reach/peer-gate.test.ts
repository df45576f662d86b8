import { describe, expect, it } from 'vitest'
import { PeerGate } from './peer-gate.ts'

function makeGate (connected: string[]): PeerGate {
  const gate = new PeerGate(() => new Set(connected), () => {})
  gate.configure({ allowedPeers: ['alice', 'bob'], relayPeers: ['relay'], acceptUnknownPeers: false, maxConnections: 2 })
  return gate
}

describe('PeerGate', () => {
  it('refuses unknown peers, counts them and keeps one request per peer', () => {
    const gate = makeGate([])
    expect(gate.refuseInbound('alice')).toBe(false)
    expect(gate.refuseInbound('relay')).toBe(false)
    expect(gate.refuseInbound('mallory')).toBe(true)
    expect(gate.refuseInbound('mallory')).toBe(true)
    expect(gate.counters.refusedPeers).toBe(2)
    expect(gate.requests()).toMatchObject([{ peerId: 'mallory', attempts: 2 }])
    gate.dismiss('mallory')
    expect(gate.requests()).toEqual([])
  })

  it('keeps at most 100 requests, dropping the oldest', () => {
    const gate = makeGate([])
    for (let i = 0; i < 250; i++) gate.refuseInbound(`stranger-${i}`)
    const requests = gate.requests()
    expect(requests).toHaveLength(100)
    expect(requests.some(r => r.peerId === 'stranger-0')).toBe(false)
    expect(requests.some(r => r.peerId === 'stranger-249')).toBe(true)
  })

  it('lets everyone in when the user allows it, still within the limit', () => {
    const gate = makeGate(['x'])
    gate.configure({ allowedPeers: [], relayPeers: [], acceptUnknownPeers: true, maxConnections: 1 })
    expect(gate.refuseInbound('x')).toBe(false)
    expect(gate.refuseInbound('y')).toBe(true)
    expect(gate.counters.refusedOverLimit).toBe(1)
  })

  it('counts peers, not relays, against the connection limit; a connected peer is never over it', () => {
    const gate = makeGate(['relay', 'alice', 'bob'])
    expect(gate.connectionCount()).toBe(2)
    expect(gate.overLimit('alice')).toBe(false)
    expect(gate.overLimit('carol')).toBe(true)
    expect(gate.refuseInbound('bob')).toBe(false)
  })

  it('forgets the request of a peer the user accepted', () => {
    const gate = makeGate([])
    gate.refuseInbound('carol')
    gate.configure({ allowedPeers: ['carol'], relayPeers: [], acceptUnknownPeers: false, maxConnections: 2 })
    expect(gate.requests()).toEqual([])
  })
})
