import type { KeyValueStore } from '../profile/index.ts'

const UNREAD_KEY = 'unread'

/** Incoming messages the user has not looked at, per peer; persisted, shown on the toolbar badge. */
export class Unread {
  readonly #storage: KeyValueStore
  readonly #showBadge: (total: number) => void
  #counts: Record<string, number> | undefined

  constructor (storage: KeyValueStore, showBadge: (total: number) => void) {
    this.#storage = storage
    this.#showBadge = showBadge
  }

  async counts (): Promise<Record<string, number>> {
    this.#counts ??= await this.#storage.get<Record<string, number>>(UNREAD_KEY) ?? {}
    return this.#counts
  }

  async add (peerId: string, count: number): Promise<void> {
    const counts = await this.counts()
    counts[peerId] = (counts[peerId] ?? 0) + count
    await this.#save(counts)
  }

  async markRead (peerId: string): Promise<void> {
    const counts = await this.counts()
    if (counts[peerId] == null) return
    delete counts[peerId]
    await this.#save(counts)
  }

  /** Shows the current total on the badge (after a worker start). */
  async refreshBadge (): Promise<void> {
    this.#showBadge(Object.values(await this.counts()).reduce((a, b) => a + b, 0))
  }

  async #save (counts: Record<string, number>): Promise<void> {
    await this.#storage.set(UNREAD_KEY, counts)
    await this.refreshBadge()
  }
}
