import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ResourceLimitError, ValidationError } from './errors/index.ts'
import { parsePeerAddresses, parsePeerId, parsePeerName, parseRelayAddress, usablePeerAddresses } from './validators.ts'

const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

describe('parsePeerId', () => {
  it('accepts a peer id and trims it', () => {
    expect(parsePeerId(` ${peerId} `)).toBe(peerId)
  })

  it('rejects garbage with a ValidationError naming the field', () => {
    expect(() => parsePeerId('not-a-peer')).toThrow(ValidationError)
    expect(() => parsePeerId('')).toThrow(/Invalid peer id/)
    expect(() => parsePeerId(42)).toThrow(ValidationError)
  })
})

describe('parseRelayAddress', () => {
  it('accepts a WebSocket relay address with a peer id', () => {
    const addr = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${peerId}`
    expect(parseRelayAddress(addr)).toBe(addr)
  })

  it('accepts a WebRTC-direct relay address only with its certificate\'s hash', () => {
    const addr = `/ip4/203.0.113.10/udp/9091/webrtc-direct/certhash/uEiAheNB6AcggdikhF17PUlK84PeQexmQBSb741dNPr12Ng/p2p/${peerId}`
    expect(parseRelayAddress(addr)).toBe(addr)
    expect(() => parseRelayAddress(`/ip4/203.0.113.10/udp/9091/webrtc-direct/p2p/${peerId}`)).toThrow(/must carry the relay's \/certhash/)
  })

  it('explains what is wrong with each kind of bad address', () => {
    expect(() => parseRelayAddress('hello')).toThrow(/is not a multiaddr/)
    expect(() => parseRelayAddress(`/ip4/127.0.0.1/tcp/9090/p2p/${peerId}`)).toThrow(/must use \/ws/)
    expect(() => parseRelayAddress('/ip4/127.0.0.1/tcp/9090/ws')).toThrow(/must end with \/p2p/)
    expect(() => parseRelayAddress(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${peerId}/p2p-circuit/p2p/${peerId}`)).toThrow(ValidationError)
  })
})

describe('parsePeerAddresses', () => {
  const at = (port: number, owner = peerId): string => `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${other}/p2p-circuit/p2p/${owner}`

  it('accepts addresses ending in the peer\'s id, canonical and without duplicates', () => {
    expect(parsePeerAddresses(peerId, [` ${at(1)} `, at(2), at(1)])).toEqual([at(1), at(2)])
    expect(parsePeerAddresses(peerId, [])).toEqual([])
  })

  it('names the bad address by its place, and says why', () => {
    const field = (addresses: unknown): unknown => {
      try { parsePeerAddresses(peerId, addresses) } catch (err) { return (err as ValidationError).data }
    }
    expect(field([at(1), at(2, other)])).toEqual({ field: 'addresses.1', reason: expect.stringMatching(/address of another peer/) })
    expect(field([at(1), '/ip4/1.2.3.4/tcp/1'])).toEqual({ field: 'addresses.1', reason: expect.stringMatching(/must end with/) })
    expect(field(['garbage'])).toEqual({ field: 'addresses.0', reason: expect.stringMatching(/not a multiaddr/) })
    expect(field([7])).toMatchObject({ field: 'addresses.0' })
    expect(field([`/dns4/${'a'.repeat(600)}/tcp/1/ws/p2p/${peerId}`])).toMatchObject({ field: 'addresses.0', reason: expect.stringMatching(/at most 512/) })
    expect(field('not a list')).toMatchObject({ field: 'addresses' })
  })

  it('holds at most 8', () => {
    expect(() => parsePeerAddresses(peerId, Array.from({ length: 9 }, (_, i) => at(i + 1)))).toThrow(ResourceLimitError)
  })
})

describe('parsePeerName', () => {
  it('trims names and bounds their length', () => {
    expect(parsePeerName('  Ada ')).toBe('Ada')
    expect(parsePeerName(undefined)).toBe('')
    expect(() => parsePeerName('x'.repeat(65))).toThrow(/at most 64/)
  })
})

describe('usablePeerAddresses', () => {
  const relay = `/ip4/198.18.0.1/tcp/9090/ws/p2p/${other}`
  const circuit = `${relay}/p2p-circuit/p2p/${peerId}`

  it('keeps circuit addresses through relays a browser can dial, as a card\'s are checked', () => {
    const wss = `/dns4/relay.example.org/tcp/443/wss/p2p/${other}/p2p-circuit/p2p/${peerId}`
    const webrtcDirect = `/ip4/203.0.113.10/udp/9091/webrtc-direct/certhash/uEiAheNB6AcggdikhF17PUlK84PeQexmQBSb741dNPr12Ng/p2p/${other}/p2p-circuit/p2p/${peerId}`
    expect(usablePeerAddresses(peerId, [circuit, ` ${circuit} `, wss, webrtcDirect])).toEqual({ addresses: [circuit, wss, webrtcDirect], refused: 0 })
  })

  it('refuses, and counts, what a browser cannot use or what is not the peer\'s', () => {
    const refusedOf = (address: unknown): number => usablePeerAddresses(peerId, [address]).refused
    // A direct address: a browser is reached only through a relay.
    expect(refusedOf(`/ip4/198.18.0.1/tcp/9090/ws/p2p/${peerId}`)).toBe(1)
    // A relay over TCP: a browser cannot dial it.
    expect(refusedOf(`/ip4/198.18.0.1/tcp/4001/p2p/${other}/p2p-circuit/p2p/${peerId}`)).toBe(1)
    // A circuit without a transport to reach its relay, a circuit through two relays, WebRTC's own form.
    expect(refusedOf(`/p2p/${other}/p2p-circuit/p2p/${peerId}`)).toBe(1)
    expect(refusedOf(`${relay}/p2p-circuit/ip4/198.18.0.2/tcp/1/ws/p2p/${other}/p2p-circuit/p2p/${peerId}`)).toBe(1)
    expect(refusedOf(`${relay}/p2p-circuit/webrtc/p2p/${peerId}`)).toBe(1)
    // Someone else's address, junk, not text.
    expect(refusedOf(`${relay}/p2p-circuit/p2p/${other}`)).toBe(1)
    expect(refusedOf('garbage')).toBe(1)
    expect(refusedOf(7)).toBe(1)
    expect(usablePeerAddresses(peerId, [circuit, 'garbage', `${relay}/p2p-circuit/p2p/${other}`])).toEqual({ addresses: [circuit], refused: 2 })
  })

  it('keeps at most `max`', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/ip4/198.18.0.1/tcp/${9000 + i}/ws/p2p/${other}/p2p-circuit/p2p/${peerId}`)
    expect(usablePeerAddresses(peerId, many, 8).addresses).toEqual(many.slice(0, 8))
  })
})
