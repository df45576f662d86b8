import { describe, expect, it } from 'vitest'
import type { PeerView, RelayView, Status } from '../api/protocol.ts'
import { welcomeProgress } from './progress.ts'

const me = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

const peer = (peerId: string, name: string, last?: PeerView['last']): PeerView => ({
  peerId, name, state: 'idle', connection: null, lastSeen: null, pending: { messages: 0, bytes: 0 }, dialAttempts: 0,
  bufferedBytes: 0, inFlightBytes: 0, unread: 0, muted: false, rttMs: null, rttHistoryMs: [], mailbox: { token: false }, ...(last == null ? {} : { last })
})

/** A status with only what the progress reads; the rest does not matter to it. */
const status = (parts: { relays?: Array<RelayView['state']>, reserved?: boolean, peers?: PeerView[] }): Status => ({
  peerId: me,
  cardToken: '',
  addresses: parts.reserved === true ? [`${relay}/p2p-circuit/p2p/${me}`] : [],
  relays: (parts.relays ?? []).map(state => ({ address: relay, state })),
  peers: parts.peers ?? []
}) as unknown as Status

describe('welcomeProgress', () => {
  it('starts at the relay, nothing done', () => {
    const progress = welcomeProgress(status({}))
    expect(progress.done).toEqual({ relay: false, card: false, contact: false, hello: false })
    expect(progress).toMatchObject({ count: 0, next: 'relay', contact: undefined, card: null })
  })

  it('takes a relay being connected to as not done yet, and the card as there only once reserved', () => {
    expect(welcomeProgress(status({ relays: ['connecting'] })).next).toBe('relay')
    const reserved = welcomeProgress(status({ relays: ['reserved'], reserved: true }))
    expect(reserved).toMatchObject({ count: 2, next: 'contact' })
    expect(reserved.card).toBe(`peerlink:${me}?a=${relay}/p2p-circuit/p2p/${me}`)
  })

  it('a contact added is the third step; a message in its conversation the last', () => {
    const bob = peer('B', 'Bob')
    expect(welcomeProgress(status({ relays: ['reserved'], reserved: true, peers: [bob] }))).toMatchObject({ count: 3, next: 'hello', contact: bob })
    const talked = peer('B', 'Bob', { id: 'm1', at: 1, direction: 'out', kind: 'text', text: 'hi' })
    expect(welcomeProgress(status({ relays: ['reserved'], reserved: true, peers: [talked] }))).toMatchObject({ count: 4, next: null })
  })

  it('is about the contact chosen on the page, else the most recent conversation', () => {
    const old = peer('A', 'Ann', { id: 'm1', at: 1, direction: 'in', kind: 'text', text: 'hi' })
    const recent = peer('C', 'Cy', { id: 'm2', at: 2, direction: 'in', kind: 'text', text: 'yo' })
    const silent = peer('D', 'Dee')
    expect(welcomeProgress(status({ peers: [silent, old, recent] })).contact).toBe(recent)
    const chosen = welcomeProgress(status({ peers: [silent, old, recent] }), 'D')
    expect(chosen.contact).toBe(silent)
    expect(chosen.done.hello).toBe(false)
  })

  it('counts a card received without a relay set by hand: the contact step is done before the relay one', () => {
    expect(welcomeProgress(status({ peers: [peer('B', 'Bob')] }))).toMatchObject({ count: 1, next: 'relay' })
  })
})
