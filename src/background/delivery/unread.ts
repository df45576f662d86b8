import type { KeyValueStore } from '../profile/index.ts'

const UNREAD_KEY = 'unread'
/** How long changes gather before they are written: a stream of bursts costs a write per interval, not one per burst. */
export const UNREAD_WRITE_DELAY_MS = 100

/**
 * Incoming messages the user has not looked at, per peer; shown on the
 * toolbar badge at once, persisted shortly after. The messages themselves
 * are stored before they are counted; what a crash in the write's delay can
 * lose is the badge's count of them, never a message.
 */
export class Unread {
  readonly #storage: KeyValueStore
  readonly #showBadge: (total: number) => void
  readonly #log: (format: string, ...args: unknown[]) => void
  #counts: Record<string, number> | undefined
  #scheduled = false
  #writes = Promise.resolve()

  constructor (storage: KeyValueStore, showBadge: (total: number) => void, log: (format: string, ...args: unknown[]) => void = () => {}) {
    this.#storage = storage
    this.#showBadge = showBadge
    this.#log = log
  }

  async counts (): Promise<Record<string, number>> {
    this.#counts ??= await this.#storage.get<Record<string, number>>(UNREAD_KEY) ?? {}
    return this.#counts
  }

  async add (peerId: string, count: number): Promise<void> {
    const counts = await this.counts()
    counts[peerId] = (counts[peerId] ?? 0) + count
    this.#changed(counts)
  }

  async markRead (peerId: string): Promise<void> {
    const counts = await this.counts()
    if (counts[peerId] == null) return
    delete counts[peerId]
    this.#changed(counts)
  }

  /** Shows the current total on the badge (after a worker start). */
  async refreshBadge (): Promise<void> {
    this.#showBadge(total(await this.counts()))
  }

  /** Resolves once every change made so far is written. */
  async written (): Promise<void> {
    await this.#writes
  }

  #changed (counts: Record<string, number>): void {
    this.#showBadge(total(counts))
    if (this.#scheduled) return
    this.#scheduled = true
    // Chained, so an older copy never lands after a newer one.
    this.#writes = this.#writes.then(async () => {
      await new Promise(resolve => setTimeout(resolve, UNREAD_WRITE_DELAY_MS))
      // Changes from here on schedule the next write.
      this.#scheduled = false
      await this.#storage.set(UNREAD_KEY, { ...this.#counts }).catch((err: unknown) => { this.#log('unread counts not saved: %o', err) })
    })
  }
}

function total (counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0)
}
