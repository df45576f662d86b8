import { describe, expect, it } from 'vitest'
import { formatContactCard } from '../common/wire/contact-card.ts'
import { cardIn, cardRelays } from './card-input.ts'

const peer = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const relayA = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const relayB = '/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const card = formatContactCard({ peerId: peer, addresses: [`${relayA}/p2p-circuit/p2p/${peer}`, `${relayB}/p2p-circuit/p2p/${peer}`, `${relayA}/p2p-circuit/webrtc/p2p/${peer}`] })

describe('cardIn', () => {
  it('takes a card as it is, either scheme', () => {
    expect(cardIn(`  ${card}\n`)).toBe(card)
    expect(cardIn(`web+${card}`)).toBe(`web+${card}`)
  })

  it('takes the card out of a link to any Peerlink', () => {
    expect(cardIn(`chrome-extension://abcdefghijklmnop/popup/popup.html?tab&card=${encodeURIComponent(card)}`)).toBe(card)
    expect(cardIn(`moz-extension://0f2a/popup/popup.html?card=${encodeURIComponent(card)}&tab`)).toBe(card)
  })

  it('finds none in a relay address, a link without a card or words', () => {
    expect(cardIn(relayA)).toBeUndefined()
    expect(cardIn('https://example.org/?card=hello')).toBeUndefined()
    expect(cardIn('https://example.org/')).toBeUndefined()
    expect(cardIn('hello')).toBeUndefined()
  })
})

describe('cardRelays', () => {
  it('names each relay the card goes through once', () => {
    expect(cardRelays(card)).toEqual([relayA, relayB])
  })

  it('names none for a card that does not read', () => {
    expect(cardRelays('peerlink:nonsense')).toEqual([])
  })
})
