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
  /** A WebRTC try came up and nobody took its stream: it becomes the peer's stream (replacing a relayed one). */
  upgraded: (peerId: string, opened: Opened) => void
  baseMs: number
  capMs: number
  log: (format: string, ...args: unknown[]) => void
  random?: () => number
  now?: () => number
}

/** One WebRTC try, as its caller sees it. */
export interface WebRTCTry {
  opened: Promise<Opened>
  /** The caller uses the stream itself; otherwise a stream that comes up goes to `upgraded`. */
  take: () => void
}

interface PeerTries {
  /** Failed tries in a row. */
  failures: number
  /** No new try before this time (ms since the epoch). */
  notBefore: number
  relays: string[]
  inFlight: boolean
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

  /**
   * A new try when one is due; undefined while backing off, or while a try
   * is in flight (its stream goes to `upgraded` unless its own caller takes it:
   * two takers would make two channels of one stream).
   */
  attempt (peerId: string, relays: string[]): WebRTCTry | undefined {
    const peer = this.#peer(peerId)
    peer.relays = relays
    if (peer.inFlight || this.#stopped.signal.aborted || this.#now() < peer.notBefore) return undefined
    peer.inFlight = true
    let taken = false
    const opened = this.#o.dial(peerId, relays, this.#stopped.signal).finally(() => { peer.inFlight = false })
    opened.then((stream) => {
      peer.failures = 0
      peer.notBefore = 0
      // After the caller's own continuation has run (microtasks), so a caller that takes it has said so.
      setTimeout(() => { if (!taken) this.#o.upgraded(peerId, stream) }, 0)
    }, (err: Error) => {
      peer.failures++
      peer.notBefore = this.#now() + retryDelayMs(peer.failures, this.#o.baseMs, this.#o.capMs, this.#o.random)
      this.#o.log('WebRTC to %s failed (%s: %s)', peerId, err.name, err.message)
      if (this.#o.isRelayed(peerId)) this.relayed(peerId)
    })
    return { opened, take: () => { taken = true } }
  }

  /** The peer is now reached through a relay: keep trying WebRTC until it is not (or a try succeeds). */
  relayed (peerId: string): void {
    const peer = this.#peer(peerId)
    // A try in flight (the dial's own, left for the relay) may yet succeed; if it fails, it comes back here.
    if (peer.timer != null || peer.inFlight || this.#stopped.signal.aborted) return
    const delay = Math.max(0, peer.notBefore - this.#now(), retryDelayMs(Math.max(peer.failures, 1), this.#o.baseMs, this.#o.capMs, this.#o.random))
    this.#o.log('relayed to %s: WebRTC again in %d ms', peerId, delay)
    peer.timer = setTimeout(() => {
      peer.timer = undefined
      if (!this.#o.isRelayed(peerId)) return
      if (this.attempt(peerId, peer.relays) == null) this.relayed(peerId)
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

  #peer (peerId: string): PeerTries {
    let peer = this.#peers.get(peerId)
    if (peer == null) {
      peer = { failures: 0, notBefore: 0, relays: [], inFlight: false }
      this.#peers.set(peerId, peer)
    }
    return peer
  }
}
