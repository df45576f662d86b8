/**
 * Bytes of inbound messages held for the worker, across all peers. Over the
 * limit, every channel stops emitting (pause); at half of it they resume.
 * The sender's window of unacknowledged bytes is what keeps the total near
 * the limit: a paused WebRTC stream still receives what is already in flight.
 */
export class InboundBudget {
  readonly limit: number
  #used = 0
  #pressured = false
  readonly #listeners = new Set<(pressured: boolean) => void>()

  constructor (limit: number) {
    this.limit = limit
  }

  get used (): number {
    return this.#used
  }

  get pressured (): boolean {
    return this.#pressured
  }

  reserve (bytes: number): void {
    this.#used += bytes
    if (!this.#pressured && this.#used > this.limit) this.#set(true)
  }

  release (bytes: number): void {
    this.#used -= bytes
    if (this.#pressured && this.#used <= this.limit / 2) this.#set(false)
  }

  /** Calls `listener(pressured)` on every change; answers the unsubscribe. */
  onChange (listener: (pressured: boolean) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #set (pressured: boolean): void {
    this.#pressured = pressured
    for (const listener of this.#listeners) listener(pressured)
  }
}
