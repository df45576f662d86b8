import { fullJitterDelay } from '../../common/timing/backoff.ts'
import { isPermanentError } from '../../common/errors/index.ts'

/** What the policy remembers about one peer; persisted, so it outlives worker restarts. */
export interface PeerReconnection {
  /** Failed attempts since the last success or wake. */
  attempt: number
  /** Start times of recent attempts, for the per-minute limit. */
  recentAttempts: number[]
  /** The permanent error that failed the last attempts in a row, and how many times. */
  permanentError: string | null
  permanentCount: number
  /** Closed on purpose: by the user ('local') or by the peer's CLOSE ('remote'). No attempts until reopened. */
  closedBy: 'local' | 'remote' | null
  gaveUp: boolean
}

export interface ReconnectionLimits {
  baseMs: number
  capMs: number
  maxAttemptsPerMinute: number
  /** Give up after this many failed attempts in a row; Infinity for never. */
  maxAttempts: number
  giveUpAfterPermanentErrors: number
}

export type Decision =
  | { action: 'wait', delayMs: number }
  | { action: 'stop', why: 'closed' | 'given-up' }

export const freshReconnection = (): PeerReconnection =>
  ({ attempt: 0, recentAttempts: [], permanentError: null, permanentCount: 0, closedBy: null, gaveUp: false })

/** When to try the peer next: full-jitter backoff, held to the per-minute limit; or not at all. */
export function nextAttempt (state: PeerReconnection, limits: ReconnectionLimits, now: number, random: () => number = Math.random): Decision {
  if (state.closedBy != null) return { action: 'stop', why: 'closed' }
  if (state.gaveUp) return { action: 'stop', why: 'given-up' }
  const delayMs = state.attempt === 0 ? 0 : fullJitterDelay(state.attempt - 1, limits.baseMs, limits.capMs, random)
  const windowStart = now + delayMs - 60_000
  const inWindow = state.recentAttempts.filter(t => t > windowStart)
  if (inWindow.length < limits.maxAttemptsPerMinute) return { action: 'wait', delayMs }
  // The oldest attempt in the window must leave it first.
  const oldest = inWindow[inWindow.length - limits.maxAttemptsPerMinute]!
  return { action: 'wait', delayMs: Math.max(delayMs, oldest + 60_000 - now) }
}

/** Records the start of an attempt (for the per-minute limit). */
export function attempted (state: PeerReconnection, now: number): PeerReconnection {
  return { ...state, recentAttempts: [...state.recentAttempts.filter(t => t > now - 60_000), now] }
}

/**
 * Records a failed attempt; gives up after too many attempts or a run of
 * identical permanent errors (`errorName` is the name the error crossed the link with).
 */
export function failed (state: PeerReconnection, errorName: string, limits: ReconnectionLimits): PeerReconnection {
  const permanent = isPermanentError(errorName)
  const permanentCount = permanent ? (state.permanentError === errorName ? state.permanentCount + 1 : 1) : 0
  const attempt = state.attempt + 1
  return {
    ...state,
    attempt,
    permanentError: permanent ? errorName : null,
    permanentCount,
    gaveUp: attempt >= limits.maxAttempts || permanentCount >= limits.giveUpAfterPermanentErrors
  }
}

/** A connection succeeded: back to a clean slate, keeping the per-minute history. */
export function succeeded (state: PeerReconnection): PeerReconnection {
  return { ...freshReconnection(), recentAttempts: state.recentAttempts, closedBy: state.closedBy }
}

/** The machine woke (or the user asked): backoff starts over. Closed peers stay closed. */
export function woke (state: PeerReconnection): PeerReconnection {
  return { ...state, attempt: 0, permanentError: null, permanentCount: 0 }
}
