/**
 * The page-side client of the Peerlink API. The popup and the options page
 * use only this; other extensions use `src/client/peerlink-client.ts`, built
 * on the same core (`api-transport.ts`, `event-subscription.ts`).
 */
import browser from 'webextension-polyfill'
import { awaitDelivered, makeRequest, type ApiTransport, type RequestFn } from './api-transport.ts'
import { subscribeEvents } from './event-subscription.ts'
import { makeOwnWorkerSend } from './own-worker-send.ts'
import { newMessageId } from './message-payload.ts'
import { EVENTS_PORT_NAME, STATUS_PORT_NAME, type ApiEvent, type ApiRequest, type ApiResults, type MessageView, type PeerView, type SendResult, type Status } from './protocol.ts'

export interface PeerlinkClient {
  request: RequestFn<ApiResults>
  status: () => Promise<Status>
  setRelays: (relays: string[]) => Promise<Status>
  addPeer: (peerId: string, name?: string) => Promise<PeerView>
  removePeer: (peerId: string) => Promise<null>
  /** Sends a message; safe across worker restarts, since the id is chosen here and a repeat is recognised. */
  send: (peerId: string, text: string, options?: { awaitDelivery?: boolean, id?: string, ttlMs?: number }) => Promise<SendResult>
  /** Resolves once the message is delivered (rejects with its DeliveryFailedError if it failed), however long it takes. */
  delivered: (id: string) => Promise<MessageView>
  resetPeer: (peerId: string) => Promise<null>
  messages: (peerId: string, limit?: number) => Promise<MessageView[]>
  /**
   * Calls `listener` with every event; re-subscribes by itself after a worker
   * restart. `messages: false`: status events only. Returns the unsubscribe.
   */
  subscribe: (listener: (event: ApiEvent) => void, options?: { messages?: boolean }) => () => void
}

/** This extension's own worker: requests over one long-lived port (one-shot messages where there is none), events over another. */
function ownWorker (): ApiTransport {
  return {
    send: makeOwnWorkerSend(),
    connect: () => browser.runtime.connect({ name: EVENTS_PORT_NAME })
  }
}

/** Makes a client that talks to this extension's Peerlink worker. */
export function makePeerlinkClient (): PeerlinkClient {
  const worker = ownWorker()
  const request = makeRequest<ApiResults>(worker)

  return {
    request,
    status: async () => await request({ method: 'getStatus' }),
    setRelays: async (relays) => await request({ method: 'setRelays', relays }),
    addPeer: async (peerId, name) => await request(name == null ? { method: 'addPeer', peerId } : { method: 'addPeer', peerId, name }),
    removePeer: async (peerId) => await request({ method: 'removePeer', peerId }),
    send: async (peerId, text, options) => {
      const req: Extract<ApiRequest, { method: 'send' }> = { method: 'send', peerId, text, id: options?.id ?? newMessageId(), awaitDelivery: options?.awaitDelivery ?? false }
      if (options?.ttlMs != null) req.ttlMs = options.ttlMs
      return await request(req)
    },
    delivered: async (id) => await awaitDelivered(request, id),
    resetPeer: async (peerId) => await request({ method: 'resetPeer', peerId }),
    messages: async (peerId, limit) => await request(limit == null ? { method: 'getMessages', peerId } : { method: 'getMessages', peerId, limit }),
    subscribe: (listener, options) => subscribeEvents(options?.messages === false
      ? { ...worker, connect: () => browser.runtime.connect({ name: STATUS_PORT_NAME }) }
      : worker, listener)
  }
}
