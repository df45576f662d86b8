/**
 * The Peerlink message API: what pages of the extension (and, later, other
 * extensions) send with `chrome.runtime.sendMessage`, and the events they
 * receive on a `chrome.runtime.connect({ name: EVENTS_PORT_NAME })` port.
 * Documented for users in API.md.
 */
import * as v from 'valibot'
import type { SerializedError } from '../common/errors/index.ts'

export const API_TAG = 'peerlink/1'
export const EVENTS_PORT_NAME = 'peerlink/events'

const text = v.string()

export const ApiRequestSchema = v.variant('method', [
  v.object({ method: v.literal('getStatus') }),
  v.object({ method: v.literal('setRelays'), relays: v.array(text) }),
  v.object({ method: v.literal('addPeer'), peerId: text, name: v.optional(text) }),
  v.object({ method: v.literal('removePeer'), peerId: text }),
  v.object({ method: v.literal('send'), peerId: text, text, awaitDelivery: v.optional(v.boolean()) }),
  v.object({ method: v.literal('getMessages'), peerId: text, limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))) })
])

export type ApiRequest = v.InferOutput<typeof ApiRequestSchema>
export type ApiMethod = ApiRequest['method']

/** What a runtime message to Peerlink looks like on the wire. */
export interface ApiEnvelope {
  api: typeof API_TAG
  request: ApiRequest
}

export type ApiResponse<T = unknown> =
  | { ok: true, value: T }
  | { ok: false, error: SerializedError }

export type NodeState = 'starting' | 'running' | 'error'
export type RelayState = 'connecting' | 'reserved' | 'failed'
export type PeerState = 'idle' | 'connecting' | 'connected' | 'failed'
export type Transport = 'webrtc' | 'circuit-relay' | 'websockets' | 'webtransport' | 'other'

export interface RelayView {
  address: string
  state: RelayState
  error?: string
}

export interface ConnectionView {
  transport: Transport
  /** True when bytes flow straight between the two browsers, not through a relay. */
  direct: boolean
  remoteAddr: string
}

export interface PeerView {
  peerId: string
  name: string
  state: PeerState
  connection: ConnectionView | null
  lastSeen: number | null
  lastError?: string
}

export interface Status {
  peerId: string | null
  node: NodeState
  nodeError?: string
  addresses: string[]
  relays: RelayView[]
  peers: PeerView[]
}

export type MessageState = 'sending' | 'sent' | 'delivered' | 'failed' | 'received'

export interface MessageView {
  id: string
  peerId: string
  direction: 'out' | 'in'
  seq: number
  text: string
  at: number
  state: MessageState
  error?: SerializedError
}

export interface SendResult {
  id: string
  state: MessageState
}

/** The value each method answers with. */
export interface ApiResults {
  getStatus: Status
  setRelays: Status
  addPeer: PeerView
  removePeer: null
  send: SendResult
  getMessages: MessageView[]
}

export type ApiEvent =
  | { type: 'status', status: Status }
  | { type: 'message', message: MessageView }
