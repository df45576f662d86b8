import type { MessageView } from '../../api/protocol.ts'

/** A message's key among the waiters: ids are each channel's own. */
const keyOf = ({ channel, id }: MessageView): string => `${channel}\n${id}`

/** Callers waiting for a message to reach a final state; they live only as long as their request. */
export class DeliveryWatch {
  readonly #waiters = new Map<string, Set<(message: MessageView) => void>>()

  /** Resolves with the message once it is delivered or failed, or with `current()` after `timeoutMs`. */
  async wait (message: MessageView, timeoutMs: number, current: () => Promise<MessageView>): Promise<MessageView> {
    if (message.state === 'delivered' || message.state === 'failed' || message.direction === 'in') return message
    return await new Promise<MessageView>((resolve) => {
      const key = keyOf(message)
      const waiters = this.#waiters.get(key) ?? new Set()
      this.#waiters.set(key, waiters)
      const done = (final: MessageView): void => {
        clearTimeout(timer)
        waiters.delete(done)
        if (waiters.size === 0) this.#waiters.delete(key)
        resolve(final)
      }
      const timer = setTimeout(() => { void current().then(done, () => { done(message) }) }, timeoutMs)
      waiters.add(done)
    })
  }

  /** Called with every changed message. */
  notify (message: MessageView): void {
    if (message.state !== 'delivered' && message.state !== 'failed') return
    for (const waiter of this.#waiters.get(keyOf(message)) ?? []) waiter(message)
  }
}
