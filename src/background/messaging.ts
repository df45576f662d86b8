import type { ApiEvent, MessageView, SendResult } from '../api/protocol.ts'
import { DeliveryFailedError, ResourceLimitError, serializeError, ValidationError } from '../common/errors/index.ts'
import type { Contacts } from './contacts.ts'
import type { MessageStore } from './message-store.ts'

export interface MessagingOptions {
  store: MessageStore
  contacts: Contacts
  /** Hands a frame to the offscreen document; rejects when the peer cannot be reached. */
  transmit: (peerId: string, seq: number, body: Uint8Array) => Promise<void>
  emit: (event: ApiEvent) => void
  maxMessageBytes: number
  ackTimeoutMs: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Sending, receiving and acknowledging messages, with every state change stored and announced. */
export class Messaging {
  readonly #options: MessagingOptions
  /** Callers awaiting delivery, by message id; they live only as long as the caller's own request. */
  readonly #waiters = new Map<string, (message: MessageView) => void>()

  constructor (options: MessagingOptions) {
    this.#options = options
  }

  /** Stores and transmits a message; with `awaitDelivery`, answers once the peer acknowledged it. */
  async send (peerId: string, text: string, awaitDelivery = false): Promise<SendResult> {
    const { store, contacts, maxMessageBytes } = this.#options
    if (typeof text !== 'string' || text === '') {
      throw new ValidationError('text', 'a message needs some text')
    }
    const body = encoder.encode(text)
    if (body.byteLength > maxMessageBytes) {
      throw new ResourceLimitError('message-bytes', maxMessageBytes, body.byteLength)
    }
    await contacts.get(peerId)
    const message = await store.appendOutgoing(peerId, text)
    this.#announce(message)
    const delivered = awaitDelivery ? this.#waitForDelivery(message) : undefined
    try {
      await this.#options.transmit(peerId, message.seq, body)
      const sent = await store.setState(message.id, 'sent')
      if (sent != null) this.#announce(sent)
    } catch (err) {
      const failure = new DeliveryFailedError(message.id, peerId, 'unreachable', (err as Error).message)
      await this.#fail(message.id, failure)
      throw failure
    }
    if (delivered == null) return { id: message.id, state: 'sent' }
    return { id: message.id, state: (await delivered).state }
  }

  /** Stores a message from a peer; resolves once it is durable, so the ack may go out. */
  async receive (peerId: string, seq: number, body: Uint8Array): Promise<void> {
    let text: string
    try {
      text = decoder.decode(body)
    } catch {
      throw new ValidationError('message', `message ${seq} from ${peerId} is not UTF-8 text`)
    }
    const message = await this.#options.store.storeIncoming(peerId, seq, text)
    if (message != null) this.#announce(message)
    await this.#options.contacts.touch(peerId)
  }

  /** The peer acknowledged every message up to `seq`. */
  async acknowledge (peerId: string, seq: number): Promise<void> {
    for (const message of await this.#options.store.acknowledge(peerId, seq)) {
      this.#announce(message)
    }
  }

  async #waitForDelivery (message: MessageView): Promise<MessageView> {
    return await new Promise<MessageView>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(message.id)
        const failure = new DeliveryFailedError(message.id, message.peerId, 'ack-timeout', `no ack within ${this.#options.ackTimeoutMs} ms`)
        void this.#fail(message.id, failure)
        reject(failure)
      }, this.#options.ackTimeoutMs)
      this.#waiters.set(message.id, (delivered) => {
        clearTimeout(timer)
        if (delivered.state === 'delivered') resolve(delivered)
        else reject(new DeliveryFailedError(message.id, message.peerId, 'unreachable', delivered.error?.message))
      })
    })
  }

  async #fail (id: string, failure: DeliveryFailedError): Promise<void> {
    const failed = await this.#options.store.setState(id, 'failed', serializeError(failure))
    if (failed != null) this.#announce(failed)
  }

  #announce (message: MessageView): void {
    this.#options.emit({ type: 'message', message })
    if (message.state === 'delivered' || message.state === 'failed') {
      const waiter = this.#waiters.get(message.id)
      this.#waiters.delete(message.id)
      waiter?.(message)
    }
  }
}
