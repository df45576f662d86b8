/**
 * Who gets TURN credentials, and how many: TURN costs the operator
 * bandwidth, and a credential is free to ask for once a peer can reserve.
 * A peer gets one only after holding its reservation for a while, and at
 * most so many new ones an hour; past that it is given its last one again
 * (same username, same expiry: no more TURN quota), or told when to ask.
 */
import { issueTurnCredential, type TurnCredential } from './turn-credentials.ts'

export interface TurnGrantRules {
  secret: string
  /** How long a credential stays valid. */
  ttlSeconds: number
  /** How long a peer must have held its reservation first. */
  afterSeconds: number
  /** New credentials one peer may get in any hour. */
  perHour: number
}

/** What a peer asking for TURN is given. */
export type TurnGrant =
  | { kind: 'credential', credential: TurnCredential }
  | { kind: 'withheld', reason: 'too-new' | 'hourly-share', retryAfterSeconds: number }

const HOUR_MS = 3_600_000

interface PeerGrants {
  /** When each new credential of the last hour was issued, oldest first. */
  issuedAt: number[]
  last: TurnCredential
}

/** Decides, per peer, what TURN it gets; keeps only what the hourly share and the last credential need. */
export class TurnGrants {
  readonly #rules: TurnGrantRules
  readonly #now: () => number
  /** By peer; insertion order is the order of their last new credential, oldest first. */
  readonly #peers = new Map<string, PeerGrants>()

  constructor (rules: TurnGrantRules, now: () => number = Date.now) {
    this.#rules = rules
    this.#now = now
  }

  /** What `peerId`, reserved since `reservedAtMs`, is given now. */
  grant (peerId: string, reservedAtMs: number): TurnGrant {
    const now = this.#now()
    this.#forgetOld(now)
    const heldMs = now - reservedAtMs
    const afterMs = this.#rules.afterSeconds * 1000
    if (heldMs < afterMs) return { kind: 'withheld', reason: 'too-new', retryAfterSeconds: Math.max(1, Math.ceil((afterMs - heldMs) / 1000)) }
    const peer = this.#peers.get(peerId)
    const issuedAt = peer?.issuedAt.filter(t => t > now - HOUR_MS) ?? []
    if (issuedAt.length < this.#rules.perHour) {
      const credential = issueTurnCredential({ secret: this.#rules.secret, ttlSeconds: this.#rules.ttlSeconds, label: peerId, now })
      this.#peers.delete(peerId)
      this.#peers.set(peerId, { issuedAt: [...issuedAt, now], last: credential })
      return { kind: 'credential', credential }
    }
    // Its share for the hour is spent: the last one again while it holds, else a time to ask again.
    if (peer != null && peer.last.expiresAt * 1000 > now) return { kind: 'credential', credential: peer.last }
    return { kind: 'withheld', reason: 'hourly-share', retryAfterSeconds: Math.max(1, Math.ceil((issuedAt[0]! + HOUR_MS - now) / 1000)) }
  }

  /** Peers whose last new credential is older than both the hour and a credential's life: nothing of theirs matters any more. */
  #forgetOld (now: number): void {
    const keepMs = Math.max(HOUR_MS, this.#rules.ttlSeconds * 1000)
    for (const [peerId, peer] of this.#peers) {
      if (peer.issuedAt.at(-1)! > now - keepMs) return
      this.#peers.delete(peerId)
    }
  }

  /** How many peers it keeps something of (for tests: it stays bounded). */
  get size (): number {
    return this.#peers.size
  }
}
