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
  const R3 = '/ip4/198.18.0.3/tcp/9090/ws/p2p/12D3KooWSsmrTUZSinbLPG1jdfCR4bfA4nYwohyBcKzFVSbnRNE9'
  const CAROL = '12D3KooWCarol'
  const MALLORY = '12D3KooWMallory'
  /** A relay of Mallory's own making, one per number. */
  const rogue = (i: number): string => `/ip4/198.18.1.${i}/tcp/9090/ws/p2p/12D3KooWRogue${i}`
  const via = (relay: string, peer = PEER): string => `${relay}/p2p-circuit/p2p/${peer}`

  it('keeps the most recently named relays, at most its size', () => {
    const pool = new RelayPool(2, 2)
    pool.learn(PEER, [via(R1), via(R2)])
    pool.learn(CAROL, [via(R1, CAROL), via(R3, CAROL), R1])
    expect(pool.relays()).toEqual([R3, R1])
  })

  it('lets one contact place at most its share, however many relays it names or however often', () => {
    const pool = new RelayPool(16, 2)
    pool.learn(PEER, [via(R1)])
    pool.learn(CAROL, [via(R2, CAROL)])
    for (let round = 0; round < 10; round++) {
      pool.learn(MALLORY, Array.from({ length: 8 }, (_, i) => via(rogue(round * 8 + i + 1), MALLORY)))
    }
    // Its last two; every earlier one left as it named others, and the contacts' relays stayed.
    expect(pool.relays()).toEqual([rogue(74), rogue(73), R2, R1])
  })

  it('keeps a relay while any contact names it, and forgets what only a forgotten contact named', () => {
    const pool = new RelayPool(16, 2)
    pool.learn(PEER, [via(R1), via(R2)])
    pool.learn(CAROL, [via(R1, CAROL)])
    pool.learn(PEER, [via(R3)])
    expect(pool.relays()).toEqual([R3, R1])
    pool.forget(CAROL)
    expect(pool.relays()).toEqual([R3])
    pool.forget(PEER)
    expect(pool.relays()).toEqual([])
  })

  it('pushes out the least recently named relay when full, and the contact that named it no longer holds it', () => {
    const pool = new RelayPool(2, 1)
    pool.learn(PEER, [via(R1)])
    pool.learn(CAROL, [via(R2, CAROL)])
    pool.learn(MALLORY, [via(R3, MALLORY)])
    expect(pool.relays()).toEqual([R3, R2])
    // PEER held nothing any more: naming R1 again brings it back as the newest.
    pool.learn(PEER, [via(R1)])
    expect(pool.relays()).toEqual([R1, R3])
  })
})
