import { describe, expect, it } from 'vitest'
import { candidateTypeOf, iceVerdict } from './ice-verdict.ts'

describe('candidateTypeOf', () => {
  it('reads the type from a candidate line', () => {
    expect(candidateTypeOf('candidate:1 1 udp 2122260223 10.0.0.5 54321 typ host generation 0')).toBe('host')
    expect(candidateTypeOf('candidate:2 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 10.0.0.5 rport 54321')).toBe('srflx')
    expect(candidateTypeOf('candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 40000')).toBe('relay')
    expect(candidateTypeOf('candidate:4 1 tcp 1518280447 abc.local 9 typ host tcptype active')).toBe('host')
  })

  it('answers nothing for a line without a known type', () => {
    expect(candidateTypeOf('')).toBeUndefined()
    expect(candidateTypeOf('candidate:1 1 udp 1 10.0.0.5 1 typ weird')).toBeUndefined()
  })
})

describe('iceVerdict', () => {
  it('host candidates only: peers on the same network, directly', () => {
    expect(iceVerdict(['host', 'host'])).toEqual({ reach: 'local', counts: { host: 2, srflx: 0, prflx: 0, relay: 0 }, turnFallback: false })
  })

  it('a server-reflexive candidate: through NAT via STUN, whatever else was found', () => {
    expect(iceVerdict(['host', 'srflx']).reach).toBe('stun')
    expect(iceVerdict(['srflx']).reach).toBe('stun')
    expect(iceVerdict(['host', 'prflx']).reach).toBe('stun')
  })

  it('says TURN is there as a fallback when STUN works and a relay candidate came too', () => {
    expect(iceVerdict(['host', 'srflx', 'relay'])).toMatchObject({ reach: 'stun', turnFallback: true })
    expect(iceVerdict(['host', 'srflx'])).toMatchObject({ turnFallback: false })
  })

  it('relay candidates without a reflexive one: only through TURN', () => {
    expect(iceVerdict(['relay']).reach).toBe('turn')
    expect(iceVerdict(['host', 'relay'])).toMatchObject({ reach: 'turn', turnFallback: false })
  })

  it('no candidate at all: nothing', () => {
    expect(iceVerdict([])).toEqual({ reach: 'none', counts: { host: 0, srflx: 0, prflx: 0, relay: 0 }, turnFallback: false })
  })
})
