import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { formatContactCard } from '../../common/wire/contact-card.ts'
import { ResourceLimitError, ValidationError } from '../../common/errors/index.ts'
import { parseNewContact } from './new-contact.ts'

const newId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const [peer, relayId, other] = await Promise.all([newId(), newId(), newId()])
const relay = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${relayId}`
const circuit = `${relay}/p2p-circuit/p2p/${peer}`
// A relay a browser cannot reserve on (plain TCP): its address is kept for dials, it is not offered as a relay.
const tcpCircuit = `/ip4/127.0.0.1/tcp/4001/p2p/${other}/p2p-circuit/p2p/${peer}`
const card = formatContactCard({ peerId: peer, addresses: [circuit, tcpCircuit] })

/** The error `parseNewContact` throws for `request`. */
function refusal (request: Parameters<typeof parseNewContact>[0]): Error {
  try {
    parseNewContact(request)
  } catch (err) {
    return err as Error
  }
  throw new Error('accepted')
}

describe('parseNewContact', () => {
  it('takes the peer, its addresses and its usable relays from a card', () => {
    expect(parseNewContact({ card })).toEqual({ peerId: peer, addresses: [circuit, tcpCircuit], relays: [relay] })
    expect(parseNewContact({ card, peerId: ` ${peer} ` }).peerId).toBe(peer)
    expect(parseNewContact({ card, peerId: '' }).peerId).toBe(peer)
  })

  it('takes a peer id alone, or with its addresses', () => {
    expect(parseNewContact({ peerId: peer })).toEqual({ peerId: peer, addresses: [], relays: [] })
    expect(parseNewContact({ peerId: peer, addresses: [circuit] })).toEqual({ peerId: peer, addresses: [circuit], relays: [relay] })
  })

  it('refuses a card for someone else than the peer id given', () => {
    expect((refusal({ card, peerId: other }) as ValidationError).data).toEqual({ field: 'peer id', reason: `the card is for ${peer}, not ${other}` })
  })

  it('refuses a card and addresses together, and a request naming nobody', () => {
    expect((refusal({ card, addresses: [circuit] }) as ValidationError).data.field).toBe('addresses')
    expect((refusal({}) as ValidationError).data.field).toBe('peer id')
  })

  it('refuses foreign and too many addresses, naming them', () => {
    const foreign = refusal({ peerId: peer, addresses: [circuit, `${relay}/p2p-circuit/p2p/${other}`] })
    expect(foreign).toBeInstanceOf(ValidationError)
    expect((foreign as ValidationError).data.field).toBe('addresses.1')
    const many = refusal({ peerId: peer, addresses: Array.from({ length: 9 }, () => circuit) })
    expect(many).toBeInstanceOf(ResourceLimitError)
    expect((refusal({ card: 'peerlink:nope' }) as ValidationError).data.field).toBe('card')
  })
})
