import { LinkCallTimeoutError, LinkClosedError } from '../common/errors/index.ts'
import { retry } from '../common/timing/retry.ts'

/** True when a link call got no answer: the link went away, or the call outlived its deadline. */
export function isLinkLoss (err: unknown): boolean {
  return err instanceof LinkClosedError || err instanceof LinkCallTimeoutError
}

/**
 * Runs `call` again when it got no answer, up to `attempts` times. Only for
 * calls that are safe to repeat: every call across the Peerlink link is,
 * because the receiver drops duplicate sequence numbers.
 */
export async function retryOnLinkLoss<T> (call: () => Promise<T>, attempts = 3): Promise<T> {
  return await retry(call, { attempts, retryIf: isLinkLoss })
}
