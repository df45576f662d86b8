import { describe, expect, it } from 'vitest'
import { IceConfig, iceServersInUse, usableServers } from './ice-config.ts'

const STUN = { urls: ['stun:198.18.0.1:3478'] }
const TURN = { urls: ['turn:198.18.0.1:3479?transport=udp'], username: '1700000000:peer', credential: 'secret' }

describe('the ICE servers in use', () => {
  it('are the user\'s alone when the user set any', () => {
    const user = [{ urls: ['stun:stun.example.org'] }]
    expect(iceServersInUse(user, [{ relay: 'r', servers: [STUN], expiresAt: Infinity }], 0)).toEqual([{ server: user[0], source: 'user' }])
  })

  it('are otherwise the union of the relays\' offers still valid, each server once', () => {
    const offers = [
      { relay: 'r1', servers: [STUN, TURN], expiresAt: 2_000 },
      { relay: 'r2', servers: [STUN, { urls: ['stun:198.18.0.2:3478'] }], expiresAt: 2_000 },
      { relay: 'r3', servers: [{ urls: ['stun:198.18.0.3:3478'] }], expiresAt: 1_000 }
    ]
    expect(iceServersInUse([], offers, 1_500)).toEqual([
      { server: STUN, source: 'relay', relay: 'r1' },
      { server: TURN, source: 'relay', relay: 'r1' },
      { server: { urls: ['stun:198.18.0.2:3478'] }, source: 'relay', relay: 'r2' }
    ])
  })

  it('never include what WebRTC would refuse from a relay: other schemes, bad URLs, TURN without credentials', () => {
    expect(usableServers([
      { urls: ['http://198.18.0.1/', 'stun:198.18.0.1:3478'] },
      { urls: ['stun:bad host'] },
      { urls: ['turn:198.18.0.1:3479'] },
      TURN
    ])).toEqual([STUN, TURN])
  })
})

describe('IceConfig', () => {
  it('always gives WebRTC an explicit list, [] when there is none (never the public defaults)', async () => {
    const ice = new IceConfig(() => 0)
    expect(await ice.rtcConfiguration()).toEqual({ iceServers: [] })
  })

  it('applies offers and the user\'s servers to the next connection, and shows them without credentials', async () => {
    let now = 0
    const ice = new IceConfig(() => now)
    ice.setOffer('/ip4/198.18.0.1/tcp/9090/ws/p2p/R', [STUN, TURN], 60_000)
    expect((await ice.rtcConfiguration()).iceServers).toEqual([STUN, TURN])
    expect(ice.view()).toEqual([
      { urls: STUN.urls, source: 'relay', relay: '/ip4/198.18.0.1/tcp/9090/ws/p2p/R' },
      { urls: TURN.urls, source: 'relay', relay: '/ip4/198.18.0.1/tcp/9090/ws/p2p/R' }
    ])
    ice.setUser([{ urls: 'stun:stun.example.org' }])
    expect(await ice.rtcConfiguration()).toEqual({ iceServers: [{ urls: ['stun:stun.example.org'] }] })
    expect(ice.view()).toEqual([{ urls: ['stun:stun.example.org'], source: 'user' }])
    ice.setUser([])
    now = 60_000
    expect(await ice.rtcConfiguration()).toEqual({ iceServers: [] })
  })

  it('forgets the offers of relays no longer configured', () => {
    const ice = new IceConfig(() => 0)
    ice.setOffer('a', [STUN], 60_000)
    ice.keepOffersOf(['b'])
    expect(ice.view()).toEqual([])
  })
})
