import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { circuitRelayAddress, formatContactCard, ownContactCard, parseContactCard } from './contact-card.ts'
import { ResourceLimitError, ValidationError } from '../errors/index.ts'

const newId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const [peer, relayA, relayB, stranger] = await Promise.all([newId(), newId(), newId(), newId()])
const relay = (id: string, port = 9090): string => `/ip4/198.51.100.7/tcp/${port}/ws/p2p/${id}`
const circuit = (relayId: string, peerId = peer, port = 9090): string => `${relay(relayId, port)}/p2p-circuit/p2p/${peerId}`

/** The error `parseContactCard` throws for `text`. */
function refusal (text: unknown): Error {
  try {
    parseContactCard(text)
  } catch (err) {
    return err as Error
  }
  throw new Error('accepted')
}

describe('contact cards', () => {
  it('reads back what it writes, as one line of readable text', () => {
    const card = { peerId: peer, addresses: [circuit(relayA), circuit(relayB)] }
    const text = formatContactCard(card)
    expect(text).toBe(`peerlink:${peer}?a=${circuit(relayA)}&a=${circuit(relayB)}`)
    expect(text).not.toMatch(/\s/)
    expect(parseContactCard(text)).toEqual(card)
    expect(parseContactCard(`  web+${text} `)).toEqual(card)
    expect(parseContactCard(text.replace('peerlink:', 'PeerLink:'))).toEqual(card)
  })

  it('carries a mailbox token, once at most, 16 bytes of base64url', () => {
    const card = { peerId: peer, addresses: [circuit(relayA)], mailboxToken: 'AAECAwQFBgcICQoLDA0ODw' }
    const text = formatContactCard(card)
    expect(text).toBe(`peerlink:${peer}?a=${circuit(relayA)}&t=AAECAwQFBgcICQoLDA0ODw`)
    expect(parseContactCard(text)).toEqual(card)
    expect(() => parseContactCard(`${text}&t=AAECAwQFBgcICQoLDA0ODw`)).toThrow(/at most one mailbox token/)
    expect(() => parseContactCard(`peerlink:${peer}?a=${circuit(relayA)}&t=short`)).toThrow(/not 16 bytes of base64url/)
    expect(() => parseContactCard(`peerlink:${peer}?t=AAECAwQFBgcICQoLDA0ODw`)).toThrow(/carries no address/)
    expect(ownContactCard(peer, [circuit(relayA)], card.mailboxToken)).toEqual(card)
  })

  it('reads %-encoded addresses, and odd characters survive the round trip', () => {
    const dns = `/dns4/relay.example.org/tcp/443/wss/p2p/${relayA}/p2p-circuit/p2p/${peer}`
    const text = `peerlink:${peer}?a=${encodeURIComponent(dns)}`
    expect(parseContactCard(text).addresses).toEqual([dns])
    expect(parseContactCard(formatContactCard({ peerId: peer, addresses: [dns] })).addresses).toEqual([dns])
  })

  it.each([
    ['not text', 42, 'card', /expected a contact card/],
    ['another scheme', `https://example.org/${peer}`, 'card', /starts with "peerlink:"/],
    ['a bad peer id', 'peerlink:12D3KooWnope?a=/ip4/1.2.3.4/tcp/1/ws', 'card', /not a valid libp2p peer id/],
    ['no address', `peerlink:${peer}`, 'card', /carries no address/],
    ['an empty query', `peerlink:${peer}?`, 'card', /carries no address/],
    ['an unknown part', `peerlink:${peer}?a=${circuit(relayA)}&x=1`, 'card', /only a=<address>/],
    ['a fragment', `peerlink:${peer}?a=${circuit(relayA)}#x`, 'card', /no "#"/],
    ['overlong text', `peerlink:${peer}?a=${'x'.repeat(2100)}`, 'card', /at most 2048 characters/],
    ['a bad escape', `peerlink:${peer}?a=${circuit(relayA)}&a=%E0%A4%A`, 'addresses.1', /%-encoded/],
    ['not a multiaddr', `peerlink:${peer}?a=${circuit(relayA)}&a=hello`, 'addresses.1', /is not a multiaddr/],
    ['an address without a peer id', `peerlink:${peer}?a=${relay(relayA)}/p2p-circuit`, 'addresses.0', /must end with \/p2p\//],
    ['a foreign address', `peerlink:${peer}?a=${circuit(relayA)}&a=${circuit(relayB)}&a=${circuit(relayA, stranger)}`, 'addresses.2', /address of another peer/]
  ])('refuses %s with a ValidationError naming the field', (_what, text, field, reason) => {
    const err = refusal(text)
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).data.field).toBe(field)
    expect((err as ValidationError).data.reason).toMatch(reason)
  })

  it('holds 1 to 8 addresses: a ninth is a ResourceLimitError', () => {
    const addresses = Array.from({ length: 9 }, (_, i) => circuit(relayA, peer, 9000 + i))
    const err = refusal(`peerlink:${peer}?${addresses.map(a => `a=${a}`).join('&')}`)
    expect(err).toBeInstanceOf(ResourceLimitError)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'contact-addresses', limit: 8, current: 9 })
    expect(parseContactCard(formatContactCard({ peerId: peer, addresses: addresses.slice(0, 8) })).addresses).toHaveLength(8)
  })

  it('finds the relay in a circuit address, and nothing in another address', () => {
    expect(circuitRelayAddress(circuit(relayA))).toBe(relay(relayA))
    expect(circuitRelayAddress(`${relay(relayA)}/p2p-circuit/webrtc/p2p/${peer}`)).toBe(relay(relayA))
    expect(circuitRelayAddress(relay(relayA))).toBeUndefined()
    expect(circuitRelayAddress(`/ip4/1.2.3.4/tcp/1/ws/p2p-circuit/p2p/${peer}`)).toBeUndefined()
  })

  it('makes this browser\'s card from its node\'s addresses: one circuit address per relay', () => {
    const own = [
      `${relay(relayA)}/p2p-circuit/p2p/${peer}`,
      `${relay(relayA)}/p2p-circuit/webrtc/p2p/${peer}`,
      `${relay(relayB)}/p2p-circuit/webrtc/p2p/${peer}`,
      `/ip4/127.0.0.1/udp/1/webrtc-direct/p2p/${peer}`
    ]
    expect(ownContactCard(peer, own)).toEqual({ peerId: peer, addresses: [circuit(relayA), circuit(relayB)] })
    expect(ownContactCard(peer, [`/ip4/127.0.0.1/udp/1/webrtc-direct/p2p/${peer}`])).toBeNull()
    expect(ownContactCard(peer, [])).toBeNull()
  })

  it('keeps its own card within what a card holds', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/dns4/${'r'.repeat(200)}${i}.example/tcp/443/wss/p2p/${relayA}/p2p-circuit/p2p/${peer}`)
    const card = ownContactCard(peer, many)!
    expect(card.addresses.length).toBeGreaterThan(0)
    expect(card.addresses.length).toBeLessThanOrEqual(8)
    expect(parseContactCard(formatContactCard(card))).toEqual(card)
  })
})
