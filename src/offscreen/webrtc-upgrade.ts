/**
 * WebRTC to each peer, one try at a time: the first try of a dial, and,
 * while the peer is reached through a relay, more tries with backoff until
 * one comes up, which then replaces the relayed stream.
 */
import type { Opened } from './dial.ts'

export interface WebRTCUpgradeOptions {
  /** One WebRTC try to the peer through `relays`, bounded by itself; `signal` ends it early. */
  dial: (peerId: string, relays: string[], signal: AbortSignal) => Promise<Opened>
  /** Whether the stream to the peer runs over a relayed connection that this side opened (so this side keeps trying). */
  isRelayed: (peerId: string) => boolean
  /** A WebRTC stream came up while the peer was relayed: it replaces the relayed one (if that is still there). */
  upgraded: (peerId: string, opened: Opened) => void
  baseMs: number
  capMs: number
  log: (format: string, ...args: unknown[]) => void
  random?: () => number
  now?: () => number
}

interface PeerTries {
  /** Failed tries in a row. */
  failures: number
  /** No new try before this time (ms since the epoch). */
  notBefore: number
  relays: string[]
  inFlight?: Promise<Opened>
  timer?: ReturnType<typeof setTimeout>
}

/**
 * The pause after `failures` failed tries in a row: "equal jitter", between
 * half and all of min(cap, base * 2^(failures - 1)), so tries stay spread
 * out (each one costs the relay signalling bytes) without going in step.
 */
export function retryDelayMs (failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 30))
  return Math.floor(ceiling / 2 + random() * ceiling / 2)
}

/**
 * Keeps, per peer, how WebRTC has fared. The count of failures outlives the
 * relayed connections (the relay ends each at its limits, and the peer is
 * dialed again), so a new one does not make WebRTC start over from an eager
 * first try; a success, or `forget`, resets it.
 */
export class WebRTCUpgrade {
  readonly #o: WebRTCUpgradeOptions
  readonly #peers = new Map<string, PeerTries>()
  readonly #stopped = new AbortController()
  readonly #now: () => number

  constructor (options: WebRTCUpgradeOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
  }

  /** The try in flight to the peer, or a new one when one is due; undefined while backing off. */
  attempt (peerId: string, relays: string[]): Promise<Opened> | undefined {
    const peer = this.#peer(peerId)
    peer.relays = relays
    if (peer.inFlight != null) return peer.inFlight
    if (this.#stopped.signal.aborted || this.#now() < peer.notBefore) return undefined
    const tried = this.#o.dial(peerId, relays, this.#stopped.signal).then((opened) => {
      peer.failures = 0
      peer.notBefore = 0
      return opened
    }, (err: Error) => {
      peer.failures++
      peer.notBefore = this.#now() + retryDelayMs(peer.failures, this.#o.baseMs, this.#o.capMs, this.#o.random)
      throw err
    }).finally(() => { peer.inFlight = undefined })
    peer.inFlight = tried
    return tried
  }

  /** The peer is now reached through a relay: keep trying WebRTC until it is not (or a try succeeds). */
  relayed (peerId: string): void {
    const peer = this.#peer(peerId)
    if (peer.timer != null || this.#stopped.signal.aborted) return
    // A try still in flight (the dial's own) may yet succeed: that is the first upgrade.
    if (peer.inFlight != null) {
      this.#follow(peerId, peer.inFlight)
      return
    }
    const delay = Math.max(0, peer.notBefore - this.#now(), retryDelayMs(Math.max(peer.failures, 1), this.#o.baseMs, this.#o.capMs, this.#o.random))
    this.#o.log('relayed to %s: WebRTC again in %d ms', peerId, delay)
    peer.timer = setTimeout(() => {
      peer.timer = undefined
      if (!this.#o.isRelayed(peerId)) return
      const tried = this.attempt(peerId, peer.relays)
      if (tried == null) this.relayed(peerId)
      else this.#follow(peerId, tried)
    }, delay)
  }

  /** Forgets what is kept about the peer (stale-peer cleanup); a try in flight runs out by itself. */
  forget (peerId: string): void {
    clearTimeout(this.#peers.get(peerId)?.timer)
    this.#peers.delete(peerId)
  }

  /** Ends every try and timer. */
  stop (): void {
    this.#stopped.abort(new Error('the node is stopping'))
    for (const peer of this.#peers.values()) clearTimeout(peer.timer)
  }

  #follow (peerId: string, tried: Promise<Opened>): void {
    // A WebRTC stream is welcome even if the relayed one ended meanwhile: it becomes the peer's stream.
    tried.then((opened) => { this.#o.upgraded(peerId, opened) }, (err: Error) => {
      this.#o.log('WebRTC to %s failed again (%s: %s)', peerId, err.name, err.message)
      if (this.#o.isRelayed(peerId)) this.relayed(peerId)
    })
  }

  #peer (peerId: string): PeerTries {
    let peer = this.#peers.get(peerId)
    if (peer == null) {
      peer = { failures: 0, notBefore: 0, relays: [] }
      this.#peers.set(peerId, peer)
    }
    return peer
  }
}
