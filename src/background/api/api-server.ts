import * as v from 'valibot'
import {
  API_TAG, ApiRequestSchema, CLIENT_METHODS, EVENTS_PORT_NAME, OWN_CHANNEL, REQUESTS_PORT_NAME, STATUS_PORT_NAME,
  type ApiEvent, type ApiRequest, type ApiResponse, type ApiResults, type ClientApiResults, type ClientId, type ClientMethod, type MessageView, type Status
} from '../../api/protocol.ts'
import { makeCoalescer } from '../../common/timing/coalescer.ts'
import { MAX_CLIENT_REQUESTS_PER_SECOND, MAX_EVENT_PORTS_PER_CLIENT, MESSAGE_EVENT_DELAY_MS } from '../../common/constants.ts'
import { NotAuthorizedError, ResourceLimitError, serializeError, ValidationError } from '../../common/errors/index.ts'
import type { Caller } from './caller.ts'
import { clientStatus } from './client-status.ts'
import type { Clients } from './clients.ts'
import { makeRequestRate } from './request-rate.ts'

export type ApiHandlers = { [M in keyof ApiResults]: (request: Extract<ApiRequest, { method: M }>) => Promise<ApiResults[M]> }
export type ClientHandlers = { [M in ClientMethod]: (request: Extract<ApiRequest, { method: M }>) => Promise<ClientApiResults[M]> }

/** Minimal shape of a runtime port, so both `chrome` and polyfilled ports fit. */
export interface EventPort {
  name: string
  postMessage: (message: unknown) => void
  disconnect: () => void
  onDisconnect: { addListener: (listener: () => void) => void }
}

export interface ApiServerDeps {
  /** Peerlink's own pages' handlers, once the worker's state is loaded; requests are validated before that. */
  handlers: () => Promise<ApiHandlers>
  /** A client's handlers: its channel only, and what it may see. */
  clientHandlers: (client: ClientId) => Promise<ClientHandlers>
  clients: () => Promise<Clients>
  /** Something a page shows changed (a client was refused, and is listed). */
  changed?: () => void
}

const clientMethods = new Set<string>(CLIENT_METHODS)

/**
 * Answers API requests from Peerlink's pages and from clients (other
 * extensions, allowed sites), and pushes events to subscribed ports. Every
 * request is validated before it reaches a handler, and every failure
 * answers with a serialized typed error. A client is checked before its
 * request is even read: its rate, that the user allowed it, and that the
 * method is one clients may call on their own channel.
 */
export class ApiServer {
  readonly #deps: ApiServerDeps
  /** Each adopted port, its caller, and what it is for: message events, the status only, or requests (no events). */
  readonly #ports = new Map<EventPort, { caller: Caller, messages: boolean, requests: boolean }>()
  readonly #rate = makeRequestRate(MAX_CLIENT_REQUESTS_PER_SECOND)
  /** Message changes waiting to go out as one event; the latest state of each message wins. */
  readonly #pendingMessages = new Map<string, MessageView>()
  readonly #flushSoon = makeCoalescer(() => {
    const messages = [...this.#pendingMessages.values()]
    this.#pendingMessages.clear()
    for (const [port, { caller, messages: wanted }] of this.#ports) {
      if (!wanted) continue
      const channel = caller.kind === 'own' ? OWN_CHANNEL : caller.client
      const theirs = messages.filter(m => m.channel === channel)
      if (theirs.length > 0) this.#post(port, { type: 'messages', messages: theirs })
    }
  }, MESSAGE_EVENT_DELAY_MS)

  constructor (deps: ApiServerDeps) {
    this.#deps = deps
  }

  /** True when `message` is addressed to this API (other runtime messages are left alone). */
  static isApiMessage (message: unknown): boolean {
    return typeof message === 'object' && message != null && (message as { api?: unknown }).api === API_TAG
  }

  async handle (message: unknown, caller: Caller = { kind: 'own' }): Promise<ApiResponse> {
    try {
      if (caller.kind === 'client') this.#rate.take(caller.client)
      const request = parseRequest(message)
      if (caller.kind === 'own') {
        const handler = (await this.#deps.handlers())[request.method] as (r: ApiRequest) => Promise<unknown>
        return { ok: true, value: await handler(request) }
      }
      const { client } = caller
      await this.#admit(client)
      if (!clientMethods.has(request.method)) throw new NotAuthorizedError(client, 'method', request.method)
      if ('channel' in request && request.channel != null && request.channel !== client) throw new NotAuthorizedError(client, 'channel')
      const handler = (await this.#deps.clientHandlers(client))[request.method as ClientMethod] as (r: ApiRequest) => Promise<unknown>
      return { ok: true, value: await handler(request) }
    } catch (err) {
      return { ok: false, error: serializeError(err) }
    }
  }

  /**
   * Adopts a subscriber port, or a port requests come over; answers false
   * for ports that are not Peerlink's. A client's port is a request like any
   * other: it counts against the client's rate before anything else is done
   * (a client not allowed is listed as asking, a write of the clients list),
   * and a client holds at most `MAX_EVENT_PORTS_PER_CLIENT` ports of either
   * kind at once. A port refused is told why, and closed. Each request
   * over a requests port is checked again as a one-shot request is.
   */
  async subscribe (port: EventPort, caller: Caller = { kind: 'own' }): Promise<boolean> {
    if (port.name !== EVENTS_PORT_NAME && port.name !== STATUS_PORT_NAME && port.name !== REQUESTS_PORT_NAME) return false
    if (caller.kind === 'client') {
      try {
        this.#rate.take(caller.client)
        await this.#admit(caller.client)
        // Counted and taken with no wait in between, so ports opened at once cannot all pass.
        const open = this.#portsOf(caller.client)
        if (open >= MAX_EVENT_PORTS_PER_CLIENT) throw new ResourceLimitError('client-ports', MAX_EVENT_PORTS_PER_CLIENT, open + 1)
      } catch (err) {
        this.#post(port, { type: 'refused', error: serializeError(err) })
        port.disconnect()
        return false
      }
    }
    this.#ports.set(port, { caller, messages: port.name === EVENTS_PORT_NAME, requests: port.name === REQUESTS_PORT_NAME })
    port.onDisconnect.addListener(() => this.#ports.delete(port))
    this.#post(port, { type: 'subscribed' })
    return true
  }

  /** Closes every port of a client the user no longer allows, telling it why. */
  closeClient (client: ClientId): void {
    const error = serializeError(new NotAuthorizedError(client, 'not-allowed'))
    for (const [port, { caller }] of this.#ports) {
      if (caller.kind !== 'client' || caller.client !== client) continue
      this.#post(port, { type: 'refused', error })
      this.#ports.delete(port)
      try {
        port.disconnect()
      } catch {
        // Already gone: nothing left to close.
      }
    }
  }

  /**
   * Announces a new message or a changed state to the ports of its channel.
   * Changes are gathered for a few milliseconds and sent as one `messages`
   * event: every event crosses the browser process, and at thousands of
   * messages a second one event per change costs more than the messages themselves.
   */
  announce (message: MessageView): void {
    if (!this.#anyWantsMessages()) return
    // Ids are each channel's own.
    const key = `${message.channel}\n${message.id}`
    this.#pendingMessages.delete(key)
    this.#pendingMessages.set(key, message)
    this.#flushSoon()
  }

  /** Sends the status to Peerlink's pages, and to each client what it may see of it. */
  broadcastStatus (status: Status): void {
    for (const [port, { caller, requests }] of this.#ports) {
      if (requests) continue
      this.#post(port, caller.kind === 'own' ? { type: 'status', status } : { type: 'client-status', status: clientStatus(status, caller.client) })
    }
  }

  /** Sends the status to one port, as its caller may see it. */
  sendStatus (port: EventPort, status: Status): void {
    const { caller, requests } = this.#ports.get(port) ?? {}
    if (caller != null && requests !== true) this.#post(port, caller.kind === 'own' ? { type: 'status', status } : { type: 'client-status', status: clientStatus(status, caller.client) })
  }

  /** How many ports a client holds open. */
  #portsOf (client: ClientId): number {
    let count = 0
    for (const { caller } of this.#ports.values()) if (caller.kind === 'client' && caller.client === client) count += 1
    return count
  }

  /** Whether any port wants message events (checked for every message, so without building a list). */
  #anyWantsMessages (): boolean {
    for (const { messages } of this.#ports.values()) if (messages) return true
    return false
  }

  /** A client the user has not allowed is refused, and listed for the user to decide. */
  async #admit (client: ClientId): Promise<void> {
    const clients = await this.#deps.clients()
    if (clients.allowed(client)) return
    await clients.refused(client)
    this.#deps.changed?.()
    throw new NotAuthorizedError(client, 'not-allowed')
  }

  #post (port: EventPort, event: ApiEvent): void {
    try {
      port.postMessage(event)
    } catch {
      this.#ports.delete(port)
    }
  }
}

/** The request inside a runtime message, checked in full; `ValidationError` names the first bad field. */
function parseRequest (message: unknown): ApiRequest {
  const parsed = v.safeParse(ApiRequestSchema, (message as { request?: unknown } | null)?.request)
  if (parsed.success) return parsed.output
  const issue = parsed.issues[0]
  const field = issue.path?.map(p => String(p.key)).join('.') ?? 'request'
  throw new ValidationError(field === '' ? 'request' : field, issue.message)
}
