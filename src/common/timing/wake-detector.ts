/**
 * Notices that the machine slept: a timer that should tick every `tickMs`
 * fires much later than that. The last tick is kept by the caller (in memory
 * in the offscreen document, in storage in the worker, so that it also works
 * across the worker's restarts).
 */
export class WakeDetector {
  readonly #tickMs: number
  readonly #lateMs: number
  #last: number | undefined

  constructor (tickMs: number, lateMs: number, last?: number) {
    this.#tickMs = tickMs
    this.#lateMs = lateMs
    this.#last = last
  }

  /** The time of the last tick, to persist. */
  get last (): number | undefined {
    return this.#last
  }

  /** Records a tick at `now`; answers true when it came more than `lateMs` after it was due. */
  tick (now: number): boolean {
    const last = this.#last
    this.#last = now
    return last != null && now - last > this.#tickMs + this.#lateMs
  }
}
