/**
 * The page-side client of the Peerlink API. The popup and the options page
 * use only this; other extensions' pages can copy the same few calls.
 */
import browser from 'webextension-polyfill'
import { RESUBSCRIBE_DELAY_MS } from '../common/constants.ts'
import { deserializeError } from '../common/errors/index.ts'
import { API_TAG, EVENTS_PORT_NAME, type ApiEnvelope, type ApiEvent, type ApiRequest, type ApiResponse, type ApiResults, type MessageView, type PeerView, type SendResult, type Status } from './protocol.ts'
import { withTransportRetry } from './transport-retry.ts'


export interface PeerlinkClient {
  request: <M extends keyof ApiResults>(request: Extract<ApiRequest, { method: M }>) => Promise<ApiResults[M]>
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
  /** Calls `listener` with every event; re-subscribes by itself after a worker restart. Returns the unsubscribe. */
  subscribe: (listener: (event: ApiEvent) => void) => () => void
}

/** Makes a client that talks to this extension's Peerlink worker. */
export function makePeerlinkClient (): PeerlinkClient {
  const request = async <M extends keyof ApiResults>(req: Extract<ApiRequest, { method: M }>): Promise<ApiResults[M]> => await withTransportRetry(async () => {
    const envelope: ApiEnvelope = { api: API_TAG, request: req }
    const response = await browser.runtime.sendMessage(envelope) as ApiResponse<ApiResults[M]> | undefined
    if (response == null) throw new Error('Peerlink did not answer')
    // Thrown as is: a transport failure reported as an error (a stopping worker) is repeated.
    if (!response.ok) throw deserializeError(response.error)
    return response.value
  })

  return {
    request,
    status: async () => await request({ method: 'getStatus' }),
    setRelays: async (relays) => await request({ method: 'setRelays', relays }),
    addPeer: async (peerId, name) => await request(name == null ? { method: 'addPeer', peerId } : { method: 'addPeer', peerId, name }),
    removePeer: async (peerId) => await request({ method: 'removePeer', peerId }),
    send: async (peerId, text, options) => {
      const req: Extract<ApiRequest, { method: 'send' }> = { method: 'send', peerId, text, id: options?.id ?? crypto.randomUUID(), awaitDelivery: options?.awaitDelivery ?? false }
      if (options?.ttlMs != null) req.ttlMs = options.ttlMs
      return await request(req)
    },
    async delivered (id) {
      while (true) {
        const message = await request({ method: 'awaitDelivery', id, timeoutMs: 25_000 })
        if (message.state === 'delivered') return message
      }
    },
    resetPeer: async (peerId) => await request({ method: 'resetPeer', peerId }),
    messages: async (peerId, limit) => await request(limit == null ? { method: 'getMessages', peerId } : { method: 'getMessages', peerId, limit }),
    subscribe (listener) {
      let stopped = false
      let port: browser.Runtime.Port | undefined
      const connect = (): void => {
        if (stopped) return
        port = browser.runtime.connect({ name: EVENTS_PORT_NAME })
        port.onMessage.addListener((event: unknown) => { listener(event as ApiEvent) })
        port.onDisconnect.addListener(() => { setTimeout(connect, RESUBSCRIBE_DELAY_MS) })
      }
      connect()
      return () => {
        stopped = true
        port?.disconnect()
      }
    }
  }
}
