/** How often connected peers are pinged, and how many samples are kept for the chart. */
const PING_INTERVAL_MS = 10_000
const HISTORY_LENGTH = 30

export interface RttView {
  rttMs: number | null
  /** The last samples, oldest first (about five minutes). */
  rttHistoryMs: number[]
}

/** Measures each connected peer's round-trip time with libp2p's ping, keeping a short history. */
export class RttMonitor {
  readonly #samples = new Map<string, number[]>()
  readonly #timer: ReturnType<typeof setInterval>

  constructor (ping: (peerId: string) => Promise<number>, connectedPeers: () => string[], changed: () => void) {
    this.#timer = setInterval(() => {
      for (const peerId of connectedPeers()) {
        ping(peerId).then((ms) => {
          const history = this.#samples.get(peerId) ?? []
          history.push(Math.round(ms * 100) / 100)
          if (history.length > HISTORY_LENGTH) history.shift()
          this.#samples.set(peerId, history)
          changed()
        }, () => {})
      }
    }, PING_INTERVAL_MS)
  }

  view (peerId: string): RttView {
    const history = this.#samples.get(peerId) ?? []
    return { rttMs: history.at(-1) ?? null, rttHistoryMs: [...history] }
  }

  forget (peerId: string): void {
    this.#samples.delete(peerId)
  }

  stop (): void {
    clearInterval(this.#timer)
  }
}
