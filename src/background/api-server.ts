import * as v from 'valibot'
import { API_TAG, ApiRequestSchema, EVENTS_PORT_NAME, type ApiEvent, type ApiRequest, type ApiResponse, type ApiResults } from '../api/protocol.ts'
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
  readonly #handlers: ApiHandlers
  readonly #ports = new Set<EventPort>()

  constructor (handlers: ApiHandlers) {
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
      const handler = this.#handlers[request.method] as (r: ApiRequest) => Promise<unknown>
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
