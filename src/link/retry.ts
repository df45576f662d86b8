import { LinkClosedError } from '../common/errors/index.ts'

/**
 * Runs `call` again when the link it used was lost, up to `attempts` times.
 * Only for calls that are safe to repeat: every call across the Peerlink
 * link is, because the receiver drops duplicate sequence numbers.
 */
export async function retryOnLinkLoss<T> (call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      if (!(err instanceof LinkClosedError) || attempt >= attempts) throw err
    }
  }
}
