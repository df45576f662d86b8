import { ResourceLimitError } from '../../src/common/errors/index.ts'
import type { ExtensionProfile } from './extension-profile.ts'
import type { PeerlinkProfile } from './peerlink-profile.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Sends one text message with the id given; what Peerlink's pages or one of its clients (another extension, a site) call. */
export type Sender = (text: string, id: string) => Promise<unknown>

/** Limits a sender waits out rather than fails on: a full outbox, or a client's share of it or of the request rate. */
const WAITABLE_LIMITS: ReadonlySet<string> = new Set(['pending-messages', 'client-pending-messages', 'client-requests-per-second'])

/**
 * Sends `count` numbered messages as an application would: each with its
 * own id (so a send repeated after a worker stop is recognised), waiting
 * whenever the outbox is at its pending-messages limit. `from` is a profile
 * (Peerlink's own pages) or any other sender, such as a client's.
 */
export async function sendNumbered (from: PeerlinkProfile | Sender, toPeerId: string, prefix: string, count: number, onProgress?: (sent: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sendWaiting(from, toPeerId, `${prefix}-${i}`, `${prefix}-${i}`)
    await onProgress?.(i + 1)
  }
}

/** Sends one message with its own id, waiting whenever the outbox (or the client's share of it) is full; other refusals are thrown. */
export async function sendWaiting (from: PeerlinkProfile | Sender, toPeerId: string, text: string, id: string): Promise<void> {
  const send: Sender = typeof from === 'function' ? from : async (text, id) => await from.api({ method: 'send', peerId: toPeerId, text, id })
  while (true) {
    try {
      await send(text, id)
      return
    } catch (err) {
      if (!(err instanceof ResourceLimitError && WAITABLE_LIMITS.has(err.data.limitType))) throw err
      await sleep(25)
    }
  }
}

/** Waits until the receiver holds `count` messages from the sender and the sender's outbox is empty. */
export async function waitForAll (from: PeerlinkProfile, to: PeerlinkProfile, count: number, timeoutMs: number): Promise<{ received: string[], pending: number }> {
  const fromId = (await from.status()).peerId!
  const toId = (await to.status()).peerId!
  const deadline = Date.now() + timeoutMs
  while (true) {
    const received = (await to.messages(fromId, 10_000)).filter(m => m.direction === 'in').map(m => m.text)
    const pending = (await from.status()).peers.find(p => p.peerId === toId)?.pending.messages ?? -1
    if ((received.length >= count && pending === 0) || Date.now() > deadline) return { received, pending }
    await sleep(250)
  }
}

/** A loop stopping a profile's service worker, as Chrome stops idle workers. */
export interface WorkerStopper {
  /** Stops made so far (a worker found already stopped is not counted). */
  stops: () => number
  /** Resolves once the worker has been stopped at least once; throws if that takes over `timeoutMs`. */
  stopped: (timeoutMs?: number) => Promise<void>
  pause: () => Promise<void>
  resume: () => void
  /** Ends the loop; answers the stops made, or throws the first stop that failed. */
  end: () => Promise<number>
}

/** Stops a profile's service worker about every `everyMs` whenever it runs, as Chrome does to idle workers; pausable. */
export function keepStoppingWorker (profile: ExtensionProfile, everyMs: number): WorkerStopper {
  let stops = 0
  let failure: Error | undefined
  let running = true
  let paused = false
  let current: Promise<void> = Promise.resolve()
  let firstStop!: () => void
  const first = new Promise<void>((resolve) => { firstStop = resolve })
  const loop = (async () => {
    while (running && failure == null) {
      await sleep(everyMs * (0.75 + Math.random() * 0.5))
      if (!running || paused) continue
      current = profile.stopServiceWorker({ ifRunning: true }).then((stopped) => {
        if (!stopped) return
        stops++
        firstStop()
      }, (err: unknown) => { failure ??= err as Error })
      await current
    }
  })()
  return {
    stops: () => stops,
    stopped: async (timeoutMs = 30_000) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`${profile.name}: the worker was not stopped within ${timeoutMs} ms`)) }, timeoutMs)
      })
      const ended = loop.then(() => { throw failure ?? new Error(`${profile.name}: the stopper ended before its first stop`) })
      try {
        await Promise.race([first, ended, late])
      } finally {
        clearTimeout(timer)
      }
    },
    pause: async () => { paused = true; await current },
    resume: () => { paused = false },
    end: async () => {
      running = false
      await loop
      if (failure != null) throw failure
      return stops
    }
  }
}

/** The numbered texts `prefix-0` … `prefix-(count-1)`, in order. */
export function numbered (prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
}
