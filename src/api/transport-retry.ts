import { TRANSPORT_RETRY_ATTEMPTS, TRANSPORT_RETRY_PAUSE_MS } from '../common/constants.ts'
import { retry } from '../common/timing/retry.ts'

/**
 * Chrome stops the background worker whenever it likes; a request in flight
 * then fails with one of these runtime messages rather than an answer. Such a
 * request may or may not have been carried out, so it is only repeated when
 * repeating is safe (every Peerlink method is: `send` takes the caller's id).
 */
const TRANSPORT_FAILURES = [
  'Receiving end does not exist',
  'message port closed',
  'message channel closed',
  'Peerlink did not answer',
  // What Chrome's extension APIs throw inside a worker that is being stopped.
  'No SW'
]

/** True when `err` says the request never got an answer, not that Peerlink refused it. */
export function isTransportFailure (err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err)
  return TRANSPORT_FAILURES.some(text => message === text || message.includes(text))
}

/** Runs `request` again after transport failures, up to `attempts` times, pausing briefly between. */
export async function withTransportRetry<T> (request: () => Promise<T>, attempts = TRANSPORT_RETRY_ATTEMPTS, pauseMs = TRANSPORT_RETRY_PAUSE_MS): Promise<T> {
  return await retry(request, { attempts, pauseMs, retryIf: isTransportFailure })
}
