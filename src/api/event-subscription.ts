import { fullJitterDelay } from '../common/timing/backoff.ts'
import { RESUBSCRIBE_DELAY_MS } from '../common/constants.ts'
import type { ApiTransport } from './api-transport.ts'
import type { ApiEvent } from './protocol.ts'

/** Backoff after a refusal, or after a port that closed before it was subscribed (Peerlink missing or not answering). */
export const REFUSED_RESUBSCRIBE_BASE_MS = 1_000
export const REFUSED_RESUBSCRIBE_CAP_MS = 60_000

export interface SubscribeOptions {
  /** For tests: the source of the backoff's jitter. */
  random?: () => number
}

/**
 * Calls `listener` with every event from Peerlink's worker. The port closes
 * whenever the browser stops the worker; it is opened again at once (which
 * wakes the worker), and every new port starts with `subscribed`. A client
 * that is refused (not allowed yet, or revoked) or that never gets an answer
 * asks again with a growing, jittered pause, so a waiting client costs
 * next to nothing. Returns the unsubscribe.
 */
export function subscribeEvents (transport: ApiTransport, listener: (event: ApiEvent) => void, options: SubscribeOptions = {}): () => void {
  let stopped = false
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let port: ReturnType<ApiTransport['connect']> | undefined

  const again = (delayMs: number): void => {
    if (stopped) return
    timer = setTimeout(connect, delayMs)
  }
  const afterFailure = (): void => {
    again(Math.max(RESUBSCRIBE_DELAY_MS, fullJitterDelay(failures, REFUSED_RESUBSCRIBE_BASE_MS, REFUSED_RESUBSCRIBE_CAP_MS, options.random)))
    failures++
  }

  function connect (): void {
    timer = undefined
    if (stopped) return
    let subscribed = false
    let refused = false
    try {
      port = transport.connect()
    } catch {
      // The extension context is gone or Peerlink cannot be reached right now.
      afterFailure()
      return
    }
    port.onMessage.addListener((message: unknown) => {
      const event = message as ApiEvent
      if (event.type === 'subscribed') { subscribed = true; failures = 0 }
      if (event.type === 'refused') refused = true
      listener(event)
    })
    port.onDisconnect.addListener(() => {
      port = undefined
      if (subscribed && !refused) again(RESUBSCRIBE_DELAY_MS)
      else afterFailure()
    })
  }

  connect()
  return () => {
    stopped = true
    if (timer !== undefined) clearTimeout(timer)
    port?.disconnect()
    port = undefined
  }
}
