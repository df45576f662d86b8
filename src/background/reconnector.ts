import type { KeyValueStore } from './key-value-store.ts'
import {
  attempted, failed, freshReconnection, nextAttempt, succeeded, woke, type PeerReconnection, type ReconnectionLimits
} from './reconnection-policy.ts'

const RECONNECTION_KEY = 'reconnection'

export interface ReconnectorOptions {
  storage: KeyValueStore
  /** Read at every decision, so a changed setting applies at once. */
  limits: () => ReconnectionLimits
  /** Opens a stream to the peer; rejects with the dial's error. */
  connect: (peerId: string) => Promise<void>
  /** A stream to the peer is open again. */
  onConnected: (peerId: string) => void
  /** The policy gave the peer up. */
  onGaveUp: (peerId: string, lastError: string) => Promise<void>
  changed: () => void
  log: (format: string, ...args: unknown[]) => void
  now?: () => number
  random?: () => number
}

export interface ReconnectionView {
  closedBy: 'local' | 'remote' | null
  gaveUp: boolean
  nextAttemptAt: number | null
}

/**
 * Decides when to dial a peer, and is the only part that asks for dials.
 * Its state per peer is persisted, so backoff, the per-minute limit and an
 * intentional close survive worker restarts. One attempt per peer at a time.
 */
export class Reconnector {
  readonly #o: ReconnectorOptions
  readonly #states: Map<string, PeerReconnection>
  readonly #timers = new Map<string, { timer: ReturnType<typeof setTimeout>, at: number }>()
  readonly #inFlight = new Set<string>()
  readonly #now: () => number

  private constructor (options: ReconnectorOptions, states: Map<string, PeerReconnection>) {
    this.#o = options
    this.#states = states
    this.#now = options.now ?? Date.now
  }

  static async load (options: ReconnectorOptions): Promise<Reconnector> {
    const stored = await options.storage.get<Record<string, PeerReconnection>>(RECONNECTION_KEY) ?? {}
    return new Reconnector(options, new Map(Object.entries(stored)))
  }

  view (peerId: string): ReconnectionView {
    const state = this.#state(peerId)
    return { closedBy: state.closedBy, gaveUp: state.gaveUp, nextAttemptAt: this.#timers.get(peerId)?.at ?? null }
  }

  /** The peer should be connected (messages wait, or its stream was lost): dial it when the policy allows. */
  want (peerId: string): void {
    if (this.#timers.has(peerId) || this.#inFlight.has(peerId)) return
    const decision = nextAttempt(this.#state(peerId), this.#o.limits(), this.#now(), this.#o.random)
    if (decision.action === 'stop') return
    const at = this.#now() + decision.delayMs
    const timer = setTimeout(() => {
      this.#timers.delete(peerId)
      void this.#attempt(peerId)
    }, decision.delayMs)
    this.#timers.set(peerId, { timer, at })
    this.#o.changed()
  }

  /** A stream to the peer opened, whoever dialed: backoff starts over; a peer that closed and came back is open again. */
  async connected (peerId: string): Promise<void> {
    const state = this.#state(peerId)
    this.#cancel(peerId)
    await this.#save(peerId, succeeded({ ...state, closedBy: state.closedBy === 'remote' ? null : state.closedBy }))
  }

  /** Closed on purpose: no more attempts until `reopen`. */
  async close (peerId: string, by: 'local' | 'remote'): Promise<void> {
    this.#cancel(peerId)
    await this.#save(peerId, { ...this.#state(peerId), closedBy: by })
  }

  /** The user reconnects: clears a close or a give-up and (unless told not to) dials at once. */
  async reopen (peerId: string, options: { dial: boolean } = { dial: true }): Promise<void> {
    this.#cancel(peerId)
    await this.#save(peerId, { ...woke(this.#state(peerId)), closedBy: null, gaveUp: false })
    if (options.dial) this.want(peerId)
  }

  async forget (peerId: string): Promise<void> {
    this.#cancel(peerId)
    this.#states.delete(peerId)
    await this.#persist()
  }

  /** The machine woke: every backoff starts over and waiting peers are dialed at once. */
  async wokeAll (): Promise<void> {
    for (const [peerId, state] of this.#states) this.#states.set(peerId, woke(state))
    await this.#persist()
    for (const peerId of [...this.#timers.keys()]) {
      this.#cancel(peerId)
      this.want(peerId)
    }
  }

  stop (): void {
    for (const peerId of [...this.#timers.keys()]) this.#cancel(peerId)
  }

  async #attempt (peerId: string): Promise<void> {
    this.#inFlight.add(peerId)
    await this.#save(peerId, attempted(this.#state(peerId), this.#now()))
    try {
      await this.#o.connect(peerId)
      this.#inFlight.delete(peerId)
      await this.connected(peerId)
      this.#o.onConnected(peerId)
    } catch (err) {
      this.#inFlight.delete(peerId)
      const name = (err as Error).name
      const next = failed(this.#state(peerId), name, this.#o.limits())
      await this.#save(peerId, next)
      if (next.gaveUp) {
        this.#o.log('giving up on %s after %s', peerId, name)
        await this.#o.onGaveUp(peerId, `${name}: ${(err as Error).message}`)
        this.#o.changed()
        return
      }
      this.want(peerId)
    }
  }

  #cancel (peerId: string): void {
    const entry = this.#timers.get(peerId)
    if (entry == null) return
    clearTimeout(entry.timer)
    this.#timers.delete(peerId)
    this.#o.changed()
  }

  #state (peerId: string): PeerReconnection {
    return this.#states.get(peerId) ?? freshReconnection()
  }

  async #save (peerId: string, state: PeerReconnection): Promise<void> {
    this.#states.set(peerId, state)
    await this.#persist()
  }

  async #persist (): Promise<void> {
    await this.#o.storage.set(RECONNECTION_KEY, Object.fromEntries(this.#states))
  }
}
