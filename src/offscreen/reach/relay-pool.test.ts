import { describe, expect, it } from 'vitest'
import { circuitAddresses, dialRelays, RelayPool, relayOf } from './relay-pool.ts'

const PEER = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'
const R1 = '/ip4/198.18.0.1/tcp/9090/ws/p2p/12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const R2 = '/ip4/198.18.0.2/tcp/9090/ws/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

describe('relayOf', () => {
  it('finds the relay a circuit address goes through', () => {
    expect(relayOf(`${R1}/p2p-circuit/p2p/${PEER}`)).toBe(R1)
    expect(relayOf(`${R1}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe(R1)
    expect(relayOf(`${R1}/p2p-circuit`)).toBe(R1)
  })

  it('answers nothing for a direct address, a relay with no transport to reach it, or junk', () => {
    expect(relayOf(R1)).toBeUndefined()
    expect(relayOf(`/p2p/${PEER}/p2p-circuit/p2p/${PEER}`)).toBeUndefined()
    expect(relayOf('/ip4/198.18.0.1/tcp/9090/ws/p2p-circuit/p2p/x')).toBeUndefined()
    expect(relayOf('not a multiaddr')).toBeUndefined()
    expect(relayOf(`${R1}/p2p-circuit/p2p/${PEER}`.padEnd(600, '/'))).toBeUndefined()
  })
})

describe('circuitAddresses', () => {
  it('keeps one `<relay>/p2p-circuit/p2p/<peer>` per relay, from what identify lists, capped', () => {
    const listen = [
      '/ip4/10.201.1.2/udp/5000/webrtc-direct',
      `${R1}/p2p-circuit`, `${R1}/p2p-circuit/webrtc`, `${R2}/p2p-circuit/p2p/${PEER}`,
      '/webrtc'
    ]
    expect(circuitAddresses(PEER, listen, 8)).toEqual([`${R1}/p2p-circuit/p2p/${PEER}`, `${R2}/p2p-circuit/p2p/${PEER}`])
    expect(circuitAddresses(PEER, listen, 1)).toEqual([`${R1}/p2p-circuit/p2p/${PEER}`])
  })
})

describe('dialRelays', () => {
  it('goes through ours first, then the peer\'s own, each once', () => {
    expect(dialRelays([R1], [`${R2}/p2p-circuit/p2p/${PEER}`, `${R1}/p2p-circuit/p2p/${PEER}`], [])).toEqual([R1, R2])
  })

  it('falls back on the pool when the peer\'s addresses name no relay', () => {
    expect(dialRelays([], [], [R2])).toEqual([R2])
    expect(dialRelays([R1], [`${R2}/p2p-circuit/p2p/${PEER}`], ['/ip4/198.18.0.3/tcp/1/ws/p2p/12D3KooWX'])).toEqual([R1, R2])
  })
})

describe('RelayPool', () => {
  it('keeps the most recently seen relays, at most its size', () => {
    const pool = new RelayPool(2)
    const R3 = '/ip4/198.18.0.3/tcp/9090/ws/p2p/12D3KooWSsmrTUZSinbLPG1jdfCR4bfA4nYwohyBcKzFVSbnRNE9'
    pool.learn([`${R1}/p2p-circuit/p2p/${PEER}`, `${R2}/p2p-circuit/p2p/${PEER}`])
    pool.learn([`${R1}/p2p-circuit/p2p/${PEER}`, `${R3}/p2p-circuit/p2p/${PEER}`, R1])
    expect(pool.relays()).toEqual([R3, R1])
    expect(pool.has('12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE')).toBe(true)
    expect(pool.has('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')).toBe(false)
  })
})
