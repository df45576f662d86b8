import * as v from 'valibot'
import { API_TAG, ApiRequestSchema, EVENTS_PORT_NAME, type ApiEvent, type ApiRequest, type ApiResponse, type ApiResults, type MessageView } from '../api/protocol.ts'
import { makeCoalescer } from '../common/coalescer.ts'
import { MESSAGE_EVENT_DELAY_MS } from '../common/constants.ts'
import { serializeError, ValidationError } from '../common/errors/index.ts'

export type ApiHandlers = { [M in keyof ApiResults]: (request: Extract<ApiRequest, { method: M }>) => Promise<ApiResults[M]> }

/** Minimal shape of a runtime port, so both `chrome` and polyfilled ports fit. */
export interface EventPort {
  name: string
  postMessage: (message: unknown) => void
  onDisconnect: { addListener: (listener: () => void) => void }
}

/**
 * Answers API requests from the extension's pages and pushes events to
 * subscribed ports. Every request is validated before it reaches a handler,
 * and every failure answers with a serialized typed error.
 */
export class ApiServer {
  readonly #handlers: () => Promise<ApiHandlers>
  readonly #ports = new Set<EventPort>()
  /** Message changes waiting to go out as one event; the latest state of each message wins. */
  readonly #pendingMessages = new Map<string, MessageView>()
  readonly #flushSoon = makeCoalescer(() => {
    const messages = [...this.#pendingMessages.values()]
    this.#pendingMessages.clear()
    this.broadcast({ type: 'messages', messages })
  }, MESSAGE_EVENT_DELAY_MS)

  /** `handlers` answers once the worker's state is loaded; requests are validated before that. */
  constructor (handlers: () => Promise<ApiHandlers>) {
    this.#handlers = handlers
  }

  /** True when `message` is addressed to this API (other runtime messages are left alone). */
  static isApiMessage (message: unknown): boolean {
    return typeof message === 'object' && message != null && (message as { api?: unknown }).api === API_TAG
  }

  async handle (message: unknown): Promise<ApiResponse> {
    try {
      const parsed = v.safeParse(ApiRequestSchema, (message as { request?: unknown }).request)
      if (!parsed.success) {
        const issue = parsed.issues[0]
        const field = issue.path?.map(p => String(p.key)).join('.') ?? 'request'
        throw new ValidationError(field === '' ? 'request' : field, issue.message)
      }
      const request = parsed.output
      const handler = (await this.#handlers())[request.method] as (r: ApiRequest) => Promise<unknown>
      return { ok: true, value: await handler(request) }
    } catch (err) {
      return { ok: false, error: serializeError(err) }
    }
  }

  /** Adopts a subscriber port; answers false for ports that are not Peerlink's. */
  subscribe (port: EventPort): boolean {
    if (port.name !== EVENTS_PORT_NAME) return false
    this.#ports.add(port)
    port.onDisconnect.addListener(() => this.#ports.delete(port))
    return true
  }

  /**
   * Announces a new message or a changed state. Changes are gathered for a
   * few milliseconds and sent as one `messages` event: every event crosses
   * the browser process, and at thousands of messages a second one event per
   * change costs more than the messages themselves.
   */
  announce (message: MessageView): void {
    if (this.#ports.size === 0) return
    this.#pendingMessages.delete(message.id)
    this.#pendingMessages.set(message.id, message)
    this.#flushSoon()
  }

  broadcast (event: ApiEvent): void {
    for (const port of this.#ports) {
      try {
        port.postMessage(event)
      } catch {
        this.#ports.delete(port)
      }
    }
  }
}
