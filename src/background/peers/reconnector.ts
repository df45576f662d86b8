import type { KeyValueStore } from '../profile/index.ts'
import {
  attempted, failed, freshReconnection, nextAttempt, succeeded, woke, type PeerReconnection, type ReconnectionLimits
} from './reconnection-policy.ts'

const RECONNECTION_KEY = 'reconnection'
/** Peers waiting to be dialed, and when: kept so a worker restart does not forget a lost stream. */
const DUE_KEY = 'reconnection.due'

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
  /** A dial failed (another follows when the policy allows). */
  onFailed?: (peerId: string) => void
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
  /** Peers whose stream was lost while a dial to them ran: that dial may answer with the lost stream. */
  readonly #lostDuringDial = new Set<string>()
  readonly #now: () => number

  readonly #due: Map<string, number>

  private constructor (options: ReconnectorOptions, states: Map<string, PeerReconnection>, due: Map<string, number>) {
    this.#o = options
    this.#states = states
    this.#due = due
    this.#now = options.now ?? Date.now
  }

  /** Loads the persisted state, and dials again every peer that was waiting for a dial when the worker stopped. */
  static async load (options: ReconnectorOptions): Promise<Reconnector> {
    const stored = await options.storage.get<Record<string, PeerReconnection>>(RECONNECTION_KEY) ?? {}
    const due = await options.storage.get<Record<string, number>>(DUE_KEY) ?? {}
    const reconnector = new Reconnector(options, new Map(Object.entries(stored)), new Map(Object.entries(due)))
    for (const [peerId, at] of reconnector.#due) reconnector.#schedule(peerId, Math.max(0, at - reconnector.#now()))
    return reconnector
  }

  view (peerId: string): ReconnectionView {
    const state = this.#state(peerId)
    return { closedBy: state.closedBy, gaveUp: state.gaveUp, nextAttemptAt: this.#timers.get(peerId)?.at ?? null }
  }

  /** Whether any peer waits for a dial. */
  dialsDue (): boolean {
    return this.#due.size > 0 || this.#inFlight.size > 0
  }

  /**
   * A stream to the peer was lost: dial it again. A dial running now may
   * answer with that very stream (reset while it was being taken), so one
   * more follows it.
   */
  lost (peerId: string): void {
    if (this.#inFlight.has(peerId)) this.#lostDuringDial.add(peerId)
    else this.want(peerId)
  }

  /** The peer should be connected (messages wait, or its stream was lost): dial it when the policy allows. */
  want (peerId: string): void {
    if (this.#timers.has(peerId) || this.#inFlight.has(peerId)) return
    const decision = nextAttempt(this.#state(peerId), this.#o.limits(), this.#now(), this.#o.random)
    if (decision.action === 'stop') return
    this.#schedule(peerId, decision.delayMs)
    this.#due.set(peerId, this.#now() + decision.delayMs)
    void this.#persistDue()
  }

  #schedule (peerId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(peerId)
      void this.#attempt(peerId)
    }, delayMs)
    this.#timers.set(peerId, { timer, at: this.#now() + delayMs })
    this.#o.changed()
  }

  /** A stream to the peer opened, whoever dialed: backoff starts over; a peer that closed and came back is open again. */
  async connected (peerId: string): Promise<void> {
    const state = this.#state(peerId)
    this.#cancel(peerId)
    await this.#settle(peerId)
    await this.#save(peerId, succeeded({ ...state, closedBy: state.closedBy === 'remote' ? null : state.closedBy }))
  }

  /** Closed on purpose: no more attempts until `reopen`. */
  async close (peerId: string, by: 'local' | 'remote'): Promise<void> {
    this.#cancel(peerId)
    await this.#settle(peerId)
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
    await this.#settle(peerId)
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
    this.#lostDuringDial.delete(peerId)
    await this.#save(peerId, attempted(this.#state(peerId), this.#now()))
    try {
      await this.#o.connect(peerId)
      this.#inFlight.delete(peerId)
      await this.connected(peerId)
      this.#o.onConnected(peerId)
      if (this.#lostDuringDial.delete(peerId)) this.want(peerId)
    } catch (err) {
      this.#inFlight.delete(peerId)
      this.#lostDuringDial.delete(peerId)
      const name = (err as Error).name
      const next = failed(this.#state(peerId), name, this.#o.limits())
      await this.#save(peerId, next)
      if (next.gaveUp) {
        await this.#settle(peerId)
        this.#o.log('giving up on %s after %s', peerId, name)
        await this.#o.onGaveUp(peerId, `${name}: ${(err as Error).message}`)
        this.#o.changed()
        return
      }
      this.#o.onFailed?.(peerId)
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

  /** The peer no longer waits for a dial (connected, closed, forgotten or given up). */
  async #settle (peerId: string): Promise<void> {
    if (this.#due.delete(peerId)) await this.#persistDue()
  }

  async #persistDue (): Promise<void> {
    await this.#o.storage.set(DUE_KEY, Object.fromEntries(this.#due))
  }

  async #persist (): Promise<void> {
    await this.#o.storage.set(RECONNECTION_KEY, Object.fromEntries(this.#states))
  }
}
