// src/common/timing/: when to try again and when time jumped (backoff, retries, coalesced timers, the wake detector), for both halves.
/**
 * Full-jitter exponential backoff: a delay drawn uniformly from
 * [0, min(cap, base * 2^attempt)], so peers that failed together do not
 * retry together. `attempt` counts from 0.
 */
export function fullJitterDelay (attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}
