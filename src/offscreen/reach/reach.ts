/**
 * How one dial reaches a peer: WebRTC gets a head start; when it fails, or
 * has not come up by then, a relayed stream is opened too, and whichever
 * opens first carries the messages. A WebRTC try that is still running
 * afterwards goes on (the caller follows it, to upgrade).
 */
import type { Opened } from './dial.ts'

export interface ReachOptions {
  /** The WebRTC try, when one is due (undefined while WebRTC backs off: then only the relay). */
  webrtc: Promise<Opened> | undefined
  /** Opens a stream over a relayed connection. */
  relayed: (signal: AbortSignal) => Promise<Opened>
  headStartMs: number
  /** The whole dial's budget. */
  signal: AbortSignal
}

export interface Reached {
  opened: Opened
  via: 'webrtc' | 'relayed'
}

type Settled = { ok: true, opened: Opened } | { ok: false, error: Error }

const settle = async (tried: Promise<Opened>): Promise<Settled> =>
  await tried.then(opened => ({ ok: true as const, opened }), (error: Error) => ({ ok: false as const, error }))

/** Resolves after `ms`, or rejects when `signal` aborts first. */
async function pause (ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** Rejects with the signal's reason when it aborts; never resolves. For races only. */
function aborted (signal: AbortSignal): Promise<never> {
  const rejection = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
  })
  // A race it lost leaves it to reject later unheard: that is expected, not an unhandled error.
  rejection.catch(() => {})
  return rejection
}

/** Opens a stream to the peer the fastest way that works; rejects with the relayed dial's error when neither does. */
export async function reachPeer ({ webrtc, relayed, headStartMs, signal }: ReachOptions): Promise<Reached> {
  if (webrtc == null) return { opened: await relayed(signal), via: 'relayed' }
  const direct = settle(webrtc)
  const early = await Promise.race([direct, pause(headStartMs, signal).then(() => undefined)])
  if (early?.ok === true) return { opened: early.opened, via: 'webrtc' }

  // WebRTC failed, or is slow: the relay carries the messages meanwhile.
  const cancel = new AbortController()
  const viaRelay = settle(relayed(AbortSignal.any([signal, cancel.signal])))
  const first = await Promise.race([
    direct.then(result => ({ from: 'webrtc' as const, result })),
    viaRelay.then(result => ({ from: 'relayed' as const, result })),
    aborted(signal)
  ])
  if (first.result.ok) {
    if (first.from === 'webrtc') {
      cancel.abort(new Error('WebRTC came up first'))
      // A relayed stream that opened anyway is not needed.
      void viaRelay.then(result => { if (result.ok) result.opened.stream.abort(new Error('WebRTC came up first')) })
    }
    return { opened: first.result.opened, via: first.from }
  }
  // One failed: the other is the last chance.
  const other = first.from === 'webrtc' ? await Promise.race([viaRelay, aborted(signal)]) : await Promise.race([direct, aborted(signal)])
  if (other.ok) return { opened: other.opened, via: first.from === 'webrtc' ? 'relayed' : 'webrtc' }
  throw first.from === 'relayed' ? first.result.error : other.error
}
