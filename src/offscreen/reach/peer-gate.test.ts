import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { PeerGate } from './peer-gate.ts'

const RELAY_ID = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const OTHER_RELAY_ID = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const PEER = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'
/** The user's relay, on this machine as in the end-to-end tests. */
const OUR_RELAY = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY_ID}`

function makeGate (connected: string[]): PeerGate {
  const gate = new PeerGate(() => connected.map(peerId => ({ remotePeer: peerId, status: 'open' })), () => {})
  gate.configure({ allowedPeers: ['alice', 'bob'], relayPeers: ['relay'], relayAddresses: [OUR_RELAY], acceptUnknownPeers: false, maxConnections: 2 })
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
    gate.configure({ allowedPeers: [], relayPeers: [], relayAddresses: [], acceptUnknownPeers: true, maxConnections: 1 })
    expect(gate.refuseInbound('x')).toBe(false)
    expect(gate.refuseInbound('y')).toBe(true)
    expect(gate.counters.refusedOverLimit).toBe(1)
  })

  it('counts peers, not the user\'s relays, against the connection limit; a connected peer is never over it', () => {
    const gate = makeGate(['relay', 'alice', 'bob', 'alice'])
    expect(gate.connectionCount()).toBe(2)
    expect(gate.overLimit('alice')).toBe(false)
    expect(gate.overLimit('carol')).toBe(true)
    expect(gate.refuseInbound('bob')).toBe(false)
  })

  it('counts a relay only a contact named (the pool\'s) like any peer, and only open connections', () => {
    const gate = new PeerGate(() => [
      { remotePeer: 'relay', status: 'open' }, { remotePeer: 'pool-relay', status: 'open' }, { remotePeer: 'alice', status: 'open' }, { remotePeer: 'bob', status: 'closing' }
    ], () => {})
    gate.configure({ allowedPeers: ['alice', 'bob'], relayPeers: ['relay'], relayAddresses: [OUR_RELAY], acceptUnknownPeers: false, maxConnections: 2 })
    expect(gate.connectionCount()).toBe(2)
    expect(gate.overLimit('bob')).toBe(true)
  })

  it('never dials a private or loopback address a peer named, only the user\'s relays there; public ones always', () => {
    const gate = makeGate([])
    const refused = (address: string): boolean => gate.refuseDial(multiaddr(address))
    // The user's relay on this machine, itself and as the relay of a circuit (WebRTC signalling too).
    expect(refused(OUR_RELAY)).toBe(false)
    expect(refused(`${OUR_RELAY}/p2p-circuit/p2p/${PEER}`)).toBe(false)
    expect(refused(`${OUR_RELAY}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe(false)
    expect(gate.counters.refusedAddresses).toBe(0)
    // Another port, another relay id on it, a LAN host: what a peer's "relay" could point us at.
    expect(refused(`/ip4/127.0.0.1/tcp/22/ws/p2p/${RELAY_ID}/p2p-circuit/p2p/${PEER}`)).toBe(true)
    expect(refused(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${OTHER_RELAY_ID}/p2p-circuit/p2p/${PEER}`)).toBe(true)
    expect(refused(`/ip4/192.168.1.1/tcp/80/ws/p2p/${OTHER_RELAY_ID}/p2p-circuit/p2p/${PEER}`)).toBe(true)
    expect(refused(`/dns4/localhost/tcp/9090/ws/p2p/${RELAY_ID}`)).toBe(true)
    expect(gate.counters.refusedAddresses).toBe(4)
    // Public relays, the NAT suite's 198.18.0.0/24 "internet" among them, are anyone's to name.
    expect(refused(`/ip4/198.18.0.1/tcp/9090/ws/p2p/${OTHER_RELAY_ID}/p2p-circuit/p2p/${PEER}`)).toBe(false)
    expect(refused(`/dns4/relay.example.org/tcp/443/wss/p2p/${OTHER_RELAY_ID}/p2p-circuit/p2p/${PEER}`)).toBe(false)
  })

  it('forgets the request of a peer the user accepted', () => {
    const gate = makeGate([])
    gate.refuseInbound('carol')
    gate.configure({ allowedPeers: ['carol'], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: 2 })
    expect(gate.requests()).toEqual([])
  })
})
