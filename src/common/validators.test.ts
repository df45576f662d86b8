import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ValidationError } from './errors/index.ts'
import { parsePeerId, parsePeerName, parseRelayAddress } from './validators.ts'

const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

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

  it('explains what is wrong with each kind of bad address', () => {
    expect(() => parseRelayAddress('hello')).toThrow(/is not a multiaddr/)
    expect(() => parseRelayAddress(`/ip4/127.0.0.1/tcp/9090/p2p/${peerId}`)).toThrow(/must use \/ws/)
    expect(() => parseRelayAddress('/ip4/127.0.0.1/tcp/9090/ws')).toThrow(/must end with \/p2p/)
    expect(() => parseRelayAddress(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${peerId}/p2p-circuit/p2p/${peerId}`)).toThrow(ValidationError)
  })
})

describe('parsePeerName', () => {
  it('trims names and bounds their length', () => {
    expect(parsePeerName('  Ada ')).toBe('Ada')
    expect(parsePeerName(undefined)).toBe('')
    expect(() => parsePeerName('x'.repeat(65))).toThrow(/at most 64/)
  })
})
