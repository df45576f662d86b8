import { describe, expect, it } from 'vitest'
import type { Hello } from '../../common/wire/frames.ts'
import { freshLedger, ledgerOf, meetHello, ourHello, type PeerLedger } from './conversation-ledger.ts'

/** The HELLO `from` sends to `to`, with the limits filled in. */
const helloOf = (from: PeerLedger): Hello => ({ ...ourHello(from), maxMessageBytes: 4096, inactivityTimeoutMs: 60_000, addresses: [] })

/** Both sides meet: each applies the other's HELLO. */
function meet (alice: PeerLedger, bob: PeerLedger): { alice: ReturnType<typeof meetHello>, bob: ReturnType<typeof meetHello> } {
  const [toBob, toAlice] = [helloOf(alice), helloOf(bob)]
  return { bob: meetHello(bob, toBob), alice: meetHello(alice, toAlice) }
}

describe('conversation ledger', () => {
  it('starts a new conversation with a random incarnation and nothing sent or received', () => {
    const a = freshLedger('P')
    const b = freshLedger('P')
    expect(a.incarnation).toMatch(/^[0-9a-f]{32}$/)
    expect(a.incarnation).not.toBe(b.incarnation)
    expect(ourHello(a)).toEqual({ incarnation: a.incarnation, peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0 })
  })

  it('on an ordinary reconnection, takes the peer\'s next expected number as an ack', () => {
    const alice = freshLedger('bob')
    const bob = freshLedger('alice')
    meet(alice, bob)
    Object.assign(alice, { nextOutSeq: 10, ackedOutSeq: 4 })
    bob.nextInSeq = 8
    const { alice: outcome } = meet(alice, bob)
    expect(outcome).toEqual({ ackUpTo: 7, peerRestarted: false })
    expect(bob.nextInSeq).toBe(8)
  })

  it('when the peer moved to a fresh browser, restarts both directions without acknowledging anything', () => {
    // Alice and Bob talked: Bob sent 12 (all acked), Alice sent 20 (acked up to 15).
    const alice = freshLedger('bob')
    const oldBob = freshLedger('alice')
    meet(alice, oldBob)
    Object.assign(alice, { nextInSeq: 12, nextOutSeq: 20, ackedOutSeq: 15 })
    // Bob's identity moves to a new profile: a fresh ledger, a new incarnation.
    const bob = freshLedger('alice')
    const outcome = meet(alice, bob)
    // Alice's stale expectation (12, in Bob's old incarnation) acknowledges nothing of new Bob's.
    expect(outcome.bob.ackUpTo).toBeNull()
    // Bob's HELLO knows nothing of Alice's incarnation: it acknowledges nothing of hers either.
    expect(outcome.alice).toEqual({ ackUpTo: null, peerRestarted: true })
    // New Bob's first message (0) is expected by Alice, not dropped as a duplicate of old Bob's.
    expect(alice.nextInSeq).toBe(0)
    // Bob starts where Alice still has messages for him.
    expect(bob.nextInSeq).toBe(16)
  })

  it('when our own state started afresh (storage cleared), the peer restarts its side for us', () => {
    const alice = freshLedger('bob')
    const bob = freshLedger('alice')
    meet(alice, bob)
    Object.assign(bob, { nextInSeq: 30, nextOutSeq: 9, ackedOutSeq: 8 })
    const freshAlice = freshLedger('bob')
    const outcome = meet(freshAlice, bob)
    expect(bob.nextInSeq).toBe(0)
    expect(outcome.bob).toEqual({ ackUpTo: null, peerRestarted: true })
    expect(freshAlice.nextInSeq).toBe(9)
  })

  it('keeps what a ledger from before incarnations stored: the first HELLO never takes it back', () => {
    const legacy = { peerId: 'P', nextOutSeq: 3, nextInSeq: 7, ackedOutSeq: 2, pendingCount: 0, pendingBytes: 0, failedAfterAck: [] } as unknown as PeerLedger
    const ledger = ledgerOf('P', legacy)
    expect(ledger.carriedOver).toBe(true)
    expect(ledger.incarnation).toMatch(/^[0-9a-f]{32}$/)
    meetHello(ledger, { ...helloOf(freshLedger('me')), firstSeq: 5 })
    expect(ledger.nextInSeq).toBe(7)
    expect(ledger.carriedOver).toBeUndefined()
  })

  it('remembers the largest message the peer accepts', () => {
    const ledger = freshLedger('P')
    meetHello(ledger, { ...helloOf(freshLedger('me')), maxMessageBytes: 2048 })
    expect(ledger.peerMaxMessageBytes).toBe(2048)
  })
})
