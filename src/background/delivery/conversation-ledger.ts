import { newIncarnation, type Hello } from '../../common/wire/frames.ts'

/**
 * One conversation's sequence state and outbox accounting, kept in the same
 * transactions as the messages it counts, so the counts are exact.
 */
export interface PeerLedger {
  peerId: string
  /** This side's incarnation of the conversation: new whenever its state starts afresh. */
  incarnation: string
  /** The peer's incarnation as last heard in its HELLO; null before the first. */
  peerIncarnation: string | null
  /** State kept from before incarnations existed: the first HELLO must not take back what was stored. */
  carriedOver?: true
  /** The largest message the peer accepts, from its HELLO. */
  peerMaxMessageBytes: number | null
  /** Sequence number the next outgoing message gets; starts at 0. */
  nextOutSeq: number
  /** Sequence number expected next from the peer; lower ones are duplicates. */
  nextInSeq: number
  /** Every outgoing message up to here was acknowledged; -1 when none was. */
  ackedOutSeq: number
  /** Outgoing messages neither acknowledged nor failed, and their bytes. */
  pendingCount: number
  pendingBytes: number
  /** Pending messages per client channel (Peerlink's own not counted): each client's quota is inside the peer's limits. */
  pendingByChannel?: Record<string, number>
  /** The same in bytes. */
  pendingBytesByChannel?: Record<string, number>
  /**
   * Messages the conversation keeps, both ways, counted as they are stored
   * and removed, so keeping the history bound never counts them all again.
   * Absent until the first prune counts them once.
   */
  storedCount?: number
  /**
   * The place of the next burst record written in this conversation: records
   * of the same millisecond and direction sort by it, in the order they were
   * written (sequence numbers start over when the peer's incarnation does).
   */
  nextBurst?: number
  /** The last outgoing message left in the peer's mailbox (in the peer's current incarnation); absent: none. */
  mailOutSeq?: number
  /** When our last deposit of messages was sealed (ms, our clock). */
  mailOutAt?: number
  /** What our last deposit told the peer we have of its messages (its `nextExpectedSeq` - 1). */
  mailAckedIn?: number
  /** The `sentAt` (its clock) of the newest envelope of the peer's we applied. */
  mailInSentAt?: number
  /** Ids of the peer's envelopes applied lately, newest last, at most `MAIL_SEEN_IDS`. */
  mailSeen?: string[]
}

/** A conversation starting afresh: a new incarnation, nothing sent or received. */
export function freshLedger (peerId: string): PeerLedger {
  return {
    peerId,
    incarnation: newIncarnation(),
    peerIncarnation: null,
    peerMaxMessageBytes: null,
    nextOutSeq: 0,
    nextInSeq: 0,
    ackedOutSeq: -1,
    pendingCount: 0,
    pendingBytes: 0
  }
}

/** The stored ledger, or a fresh one; a ledger from before incarnations gets one, and is marked carried over. */
export function ledgerOf (peerId: string, stored: PeerLedger | undefined): PeerLedger {
  if (stored == null) return freshLedger(peerId)
  if (typeof stored.incarnation === 'string') return stored
  return { ...freshLedger(peerId), ...stored, incarnation: newIncarnation(), peerIncarnation: null, peerMaxMessageBytes: null, carriedOver: true }
}

/** What this side says of the conversation in its HELLO. */
export function ourHello (ledger: PeerLedger): Pick<Hello, 'incarnation' | 'peerIncarnation' | 'nextExpectedSeq' | 'firstSeq'> {
  return { incarnation: ledger.incarnation, peerIncarnation: ledger.peerIncarnation, nextExpectedSeq: ledger.nextInSeq, firstSeq: ledger.ackedOutSeq + 1 }
}

/** What the peer's HELLO means for the sending side. */
export interface HelloOutcome {
  /** The peer has every message up to here (null: its HELLO says nothing about our messages). */
  ackUpTo: number | null
  /** The peer's conversation started afresh (or is new to us): incoming state restarted at its first sequence number. */
  peerRestarted: boolean
}

/**
 * Applies the peer's HELLO to the ledger. A peer incarnation we have not
 * heard before means its side of the conversation started afresh: incoming
 * state restarts at the first number it still holds. Its `nextExpectedSeq`
 * acknowledges our messages only if it counts in our current incarnation;
 * otherwise everything unacknowledged is simply sent again.
 */
export function meetHello (ledger: PeerLedger, hello: Hello): HelloOutcome {
  let peerRestarted = false
  if (hello.incarnation !== ledger.peerIncarnation) {
    peerRestarted = ledger.peerIncarnation != null
    // Its side started afresh: what its mailbox held of ours counts for nothing now, and our acks go again.
    delete ledger.mailOutSeq
    delete ledger.mailAckedIn
    // Carried-over state already stored some of what the peer still holds: never take it twice.
    ledger.nextInSeq = ledger.carriedOver === true ? Math.max(ledger.nextInSeq, hello.firstSeq) : hello.firstSeq
    ledger.peerIncarnation = hello.incarnation
    delete ledger.carriedOver
  }
  ledger.peerMaxMessageBytes = hello.maxMessageBytes
  const ackUpTo = hello.peerIncarnation === ledger.incarnation ? hello.nextExpectedSeq - 1 : null
  return { ackUpTo, peerRestarted }
}
