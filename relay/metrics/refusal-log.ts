/**
 * What the relay refused, counted by cause for the metrics, and logged at most
 * one line per cause a minute: a flood must not fill the operator's disk with
 * the same line, yet the first refusal of a kind is seen at once.
 */

/** The least time between two log lines of one cause. */
export const REFUSAL_LOG_INTERVAL_MS = 60_000

interface Quiet {
  loggedAt: number
  /** Refusals of this cause since its last line. */
  unlogged: number
}

/** Counts refusals by cause; writes a line for the first of a cause, then at most one a minute with how many came between. */
export class RefusalLog {
  readonly #write: (line: string) => void
  readonly #now: () => number
  readonly #counts = new Map<string, number>()
  readonly #quiet = new Map<string, Quiet>()

  constructor (write: (line: string) => void = line => { console.warn(line) }, now: () => number = Date.now) {
    this.#write = write
    this.#now = now
  }

  /** Records one refusal; `detail` names who was refused (an address, a peer). */
  refuse (cause: string, detail: string): void {
    this.#counts.set(cause, (this.#counts.get(cause) ?? 0) + 1)
    const now = this.#now()
    const quiet = this.#quiet.get(cause)
    if (quiet != null && now - quiet.loggedAt < REFUSAL_LOG_INTERVAL_MS) {
      quiet.unlogged += 1
      return
    }
    const more = quiet == null || quiet.unlogged === 0 ? '' : ` (and ${quiet.unlogged} more since the last line)`
    this.#write(`relay: refused ${cause}: ${detail}${more}`)
    this.#quiet.set(cause, { loggedAt: now, unlogged: 0 })
  }

  /** Refusals so far, by cause. */
  counts (): ReadonlyMap<string, number> {
    return this.#counts
  }
}
