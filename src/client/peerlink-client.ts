/**
 * The client library for other extensions: everything an extension needs to
 * message peers through Peerlink, once the user has allowed it in Peerlink's
 * popup.
 *
 * ```ts
 * const peerlink = makePeerlinkClient({ peerlinkId: '<Peerlink's extension id>' })
 * const stop = peerlink.subscribe((event) => { if (event.type === 'messages') show(event.messages) })
 * await peerlink.send(peerId, { text: 'hello' })
 * ```
 *
 * Requests go over one long-lived port, and are repeated while Peerlink's
 * worker restarts; every message
 * gets its id here, so a repeated send is stored once. Only the client's own
 * channel is visible: its messages reach the same extension on the peer's side.
 */
import { awaitDelivered, makeRequest, type ApiTransport, type EventPort, type RequestFn } from '../api/api-transport.ts'
import { subscribeEvents } from '../api/event-subscription.ts'
import { newMessageId, wirePayload, type MessageInput } from '../api/message-payload.ts'
import { makePortSend, type RequestPort } from '../api/port-requests.ts'
import { EVENTS_PORT_NAME, REQUESTS_PORT_NAME, type ApiEvent, type ApiRequest, type ClientApiResults, type ClientStatus, type MessageView, type SendResult } from '../api/protocol.ts'

export { fromBase64, toBase64, type MessageInput } from '../api/message-payload.ts'
export type { ClientApiResults, ClientStatus, MessageView, SendResult } from '../api/protocol.ts'
export { DeliveryFailedError, NotAuthorizedError, PeerClosedError, ResourceLimitError, UnknownPeerError, ValidationError } from '../common/errors/index.ts'

/** The part of `chrome.runtime` / `browser.runtime` the client uses (a fake in tests). */
export interface ClientRuntime {
  sendMessage: (extensionId: string, message: unknown) => Promise<unknown>
  connect: (extensionId: string, connectInfo: { name: string }) => EventPort
  /** Chrome's: read after a failed connect, so it is not reported as unchecked. */
  readonly lastError?: unknown
}

export interface PeerlinkClientOptions {
  /** Peerlink's extension id (chrome://extensions shows it; in Firefox `peerlink@peerlink.dev`). */
  peerlinkId: string
  /** Defaults to `browser.runtime` where it exists (Firefox), else `chrome.runtime`. */
  runtime?: ClientRuntime
}

export interface SendOptions {
  /** The message's id (1 to 64 letters, digits, `-`, `_`); a new random one by default. Give the same id to repeat a send safely. */
  id?: string
  ttlMs?: number
  /** Answer only once the peer has it (or it failed). */
  awaitDelivery?: boolean
}

/** The events a client receives: `subscribed` first on every port, then its status and its messages; `refused` while not allowed. */
export type ClientEvent = Extract<ApiEvent, { type: 'subscribed' | 'client-status' | 'refused' | 'messages' }>

export interface PeerlinkClient {
  /** Any client method (`CLIENT_METHODS`), answered typed; a refusal rejects with its typed error (`NotAuthorizedError`, …). */
  request: RequestFn<ClientApiResults>
  /** This browser's peer id and the contacts (ids, names, states). */
  status: () => Promise<ClientStatus>
  /** Sends text or bytes to a contact; resolves with its id and state. */
  send: (peerId: string, message: MessageInput, options?: SendOptions) => Promise<SendResult>
  /** The client's conversation with a peer, oldest first: the latest `limit`, or those just older than message `before`. */
  messages: (peerId: string, options?: { limit?: number, before?: string }) => Promise<MessageView[]>
  /** Resolves once message `id` is delivered; rejects with its `DeliveryFailedError` if it failed. */
  delivered: (id: string) => Promise<MessageView>
  /** Calls `listener` with every event; subscribes again by itself after the port drops, and backs off while refused. Returns the unsubscribe. */
  subscribe: (listener: (event: ClientEvent) => void) => () => void
}

/** The runtime of the extension this runs in: Firefox's `browser` (promises everywhere), else Chrome's `chrome`. */
function defaultRuntime (): ClientRuntime {
  const scope = globalThis as { browser?: { runtime?: ClientRuntime }, chrome?: { runtime?: ClientRuntime } }
  const runtime = scope.browser?.runtime ?? scope.chrome?.runtime
  if (runtime == null) throw new Error('makePeerlinkClient runs in an extension page or worker: no runtime API here')
  return runtime
}

/**
 * Messaging with the extension `peerlinkId` through `runtime`: requests over
 * one long-lived port (a round trip of under 0.1 ms, against about 1 ms for
 * each one-shot message), one-shot where a port cannot be had.
 */
function externalTransport (peerlinkId: string, runtime: ClientRuntime): ApiTransport {
  const connect = (name: string): EventPort => {
    const port = runtime.connect(peerlinkId, { name })
    // Chrome reports a port to a missing or disabled extension as lastError; reading it is how it is handled.
    port.onDisconnect.addListener(() => { void runtime.lastError })
    return port
  }
  return {
    send: makePortSend(() => connect(REQUESTS_PORT_NAME) as RequestPort, async (envelope) => await runtime.sendMessage(peerlinkId, envelope)),
    connect: () => connect(EVENTS_PORT_NAME)
  }
}

/** Makes a client of the Peerlink extension `peerlinkId`. */
export function makePeerlinkClient ({ peerlinkId, runtime = defaultRuntime() }: PeerlinkClientOptions): PeerlinkClient {
  return makePeerlinkClientOn(externalTransport(peerlinkId, runtime))
}

/** Makes a client over any transport to Peerlink (an allowed page's goes through Peerlink's content script). */
export function makePeerlinkClientOn (transport: ApiTransport): PeerlinkClient {
  const request = makeRequest<ClientApiResults>(transport)
  return {
    request,
    status: async () => await request({ method: 'getStatus' }),
    send: async (peerId, message, options = {}) => {
      const req: Extract<ApiRequest, { method: 'send' }> = { method: 'send', peerId, ...wirePayload(message), id: options.id ?? newMessageId() }
      if (options.ttlMs != null) req.ttlMs = options.ttlMs
      if (options.awaitDelivery != null) req.awaitDelivery = options.awaitDelivery
      return await request(req)
    },
    messages: async (peerId, { limit, before } = {}) => {
      const req: Extract<ApiRequest, { method: 'getMessages' }> = { method: 'getMessages', peerId }
      if (limit != null) req.limit = limit
      if (before != null) req.before = before
      return await request(req)
    },
    delivered: async (id) => await awaitDelivered(request, id),
    subscribe: (listener) => subscribeEvents(transport, event => { listener(event as ClientEvent) })
  }
}
