import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { RTT_HISTORY_SAMPLES, RTT_PING_INTERVAL_MS } from '../../common/constants.ts'

export interface RttView {
  rttMs: number | null
  /** The last samples, oldest first (about five minutes). */
  rttHistoryMs: number[]
}

/** Measures each connected peer's round-trip time with libp2p's ping, keeping a short history. */
export class RttMonitor {
  readonly #samples = new Map<string, number[]>()
  readonly #pings: RepeatingTask

  constructor (ping: (peerId: string) => Promise<number>, connectedPeers: () => string[], changed: () => void) {
    this.#pings = repeatingTask(() => {
      for (const peerId of connectedPeers()) {
        ping(peerId).then((ms) => {
          const history = this.#samples.get(peerId) ?? []
          history.push(Math.round(ms * 100) / 100)
          if (history.length > RTT_HISTORY_SAMPLES) history.shift()
          this.#samples.set(peerId, history)
          changed()
        }, () => {})
      }
    }, RTT_PING_INTERVAL_MS)
    this.#pings.start()
  }

  view (peerId: string): RttView {
    const history = this.#samples.get(peerId) ?? []
    return { rttMs: history.at(-1) ?? null, rttHistoryMs: [...history] }
  }

  forget (peerId: string): void {
    this.#samples.delete(peerId)
  }

  stop (): void {
    this.#pings.stop()
  }
}
