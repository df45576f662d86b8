/**
 * The Peerlink message API: what pages of the extension (and, later, other
 * extensions) send with `chrome.runtime.sendMessage`, and the events they
 * receive on a `chrome.runtime.connect({ name: EVENTS_PORT_NAME })` port.
 * Documented for users in API.md.
 */
import * as v from 'valibot'
import {
  MAX_AWAIT_DELIVERY_MS, MAX_MESSAGE_TTL_MS, MAX_MESSAGES_PAGE, MAX_SEND_MANY_MESSAGES, MAX_SPEED_TEST_COUNT,
  MAX_SPEED_TEST_MESSAGE_BYTES, MAX_SPEED_TEST_TOTAL_BYTES, MESSAGE_ID_PATTERN, MIN_MESSAGE_TTL_MS
} from '../common/constants.ts'
import type { SerializedError } from '../common/errors/index.ts'
import { IceServerInputSchema, type IceServer } from '../common/ice-servers.ts'
import type { Limits } from '../common/limits.ts'
import type { ConnectionRequest, ConnectionView, Counters, IceServerView, NodeState, PeerState, RelayView, SpeedTestResult } from '../common/model.ts'

export type { IceServer, IceServerInput } from '../common/ice-servers.ts'
export type { ConnectionRequest, ConnectionView, Counters, IceServerView, NodeState, PeerState, RelayState, RelayView, Route, SpeedTestRequest, SpeedTestResult, Transport } from '../common/model.ts'

/** Memory figures, for watching that nothing grows without bound. */
export interface Diagnostics {
  /** The offscreen document's JS heap in use (Chrome only; null elsewhere). */
  offscreenJsHeapUsedBytes: number | null
  /** Inbound message bytes the offscreen document holds for the worker. */
  inboundBufferedBytes: number
  /** Bytes in all outboxes, waiting for acks. */
  outboxBytes: number
  /** What the extension's storage holds, and how much the browser lets it hold (null where it does not say). */
  storage: { usedBytes: number | null, quotaBytes: number | null }
}

export const API_TAG = 'peerlink/1'
export const EVENTS_PORT_NAME = 'peerlink/events'

const text = v.string()
const ttlMs = v.optional(v.pipe(v.number(), v.integer(), v.minValue(MIN_MESSAGE_TTL_MS), v.maxValue(MAX_MESSAGE_TTL_MS)))
const messageId = v.pipe(v.string(), v.regex(MESSAGE_ID_PATTERN, 'a message id is 1 to 64 letters, digits, "-" or "_"'))

export const ApiRequestSchema = v.variant('method', [
  v.object({ method: v.literal('getStatus') }),
  v.object({ method: v.literal('setRelays'), relays: v.array(text) }),
  /** Checked in full (URLs, credentials, the count) by the settings, which name the bad field. */
  v.object({ method: v.literal('setIceServers'), iceServers: v.array(IceServerInputSchema) }),
  /** Internal: for Peerlink's own pages only, since it answers the user's TURN credentials. */
  v.object({ method: v.literal('getIceServers') }),
  v.object({ method: v.literal('setLimits'), limits: v.record(v.string(), v.unknown()) }),
  v.object({ method: v.literal('setAcceptUnknownPeers'), accept: v.boolean() }),
  v.object({ method: v.literal('resetLimits') }),
  v.object({ method: v.literal('exportIdentity') }),
  v.object({ method: v.literal('importIdentity'), privateKey: text }),
  v.object({ method: v.literal('markRead'), peerId: text }),
  v.object({ method: v.literal('acceptRequest'), peerId: text, name: v.optional(text) }),
  v.object({ method: v.literal('refuseRequest'), peerId: text }),
  /** A peer id, or a contact card (`card`), or a peer id with its addresses; checked in full by the handler. */
  v.object({ method: v.literal('addPeer'), peerId: v.optional(text), card: v.optional(text), addresses: v.optional(v.array(text)), name: v.optional(text) }),
  v.object({ method: v.literal('removePeer'), peerId: text }),
  v.object({ method: v.literal('resetPeer'), peerId: text }),
  v.object({ method: v.literal('closePeer'), peerId: text }),
  v.object({ method: v.literal('reconnectPeer'), peerId: text }),
  v.object({
    method: v.literal('send'),
    peerId: text,
    text,
    id: v.optional(messageId),
    ttlMs,
    awaitDelivery: v.optional(v.boolean())
  }),
  /** Sends a failed message again, keeping its id: a peer that had it after all stores it once. */
  v.object({ method: v.literal('retry'), id: messageId }),
  v.object({
    method: v.literal('sendMany'),
    peerId: text,
    messages: v.pipe(v.array(v.object({ text, id: v.optional(messageId) })), v.minLength(1), v.maxLength(MAX_SEND_MANY_MESSAGES)),
    ttlMs
  }),
  v.object({
    method: v.literal('speedTest'),
    peerId: text,
    mode: v.picklist(['throughput', 'round-trip']),
    messageBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_SPEED_TEST_MESSAGE_BYTES))),
    totalBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_SPEED_TEST_TOTAL_BYTES))),
    count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_SPEED_TEST_COUNT)))
  }),
  v.object({ method: v.literal('diagnostics') }),
  v.object({ method: v.literal('getMessage'), id: messageId }),
  v.object({ method: v.literal('awaitDelivery'), id: messageId, timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_AWAIT_DELIVERY_MS))) }),
  v.object({
    method: v.literal('getMessages'),
    peerId: text,
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_MESSAGES_PAGE))),
    /** A message's id: answer the page of messages just older than it. */
    before: v.optional(messageId)
  })
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

export interface PeerView {
  peerId: string
  name: string
  state: PeerState
  connection: ConnectionView | null
  lastSeen: number | null
  lastError?: string
  /** Outgoing messages not yet acknowledged by the peer. */
  pending: { messages: number, bytes: number }
  closedBy?: 'local' | 'remote'
  nextAttemptAt?: number
  /** Dial attempts since the node started. */
  dialAttempts: number
  /** How the last stream ended, e.g. "remote error StreamResetError: …" or "local clean close". */
  lastClose?: string
  /** Bytes written to the stream and not yet taken by the transport. */
  bufferedBytes: number
  /** Bytes sent to the peer and not yet acknowledged (at most 1 MiB: the window). */
  inFlightBytes: number
  /** Messages from the peer not looked at yet. */
  unread: number
  /** The peer asked us to hold our messages (its storage is full); they are sent after its next HELLO. */
  paused?: 'storage-full'
  /** Last round trip (libp2p ping, every 10 s while connected), and the last few minutes of them. */
  rttMs: number | null
  rttHistoryMs: number[]
}

/** The worker's link to the offscreen document. */
export interface LinkView {
  connected: boolean
  /** Numbers links; a new one after every worker start or document re-creation. */
  epoch: number
  /** Time from this worker's start to its first answered call over the link, when there was one. */
  firstCallAfterStartMs: number | null
}

export interface Status {
  peerId: string | null
  node: NodeState
  link: LinkView
  limits: Limits
  acceptUnknownPeers: boolean
  /** Open connections to peers (relays not counted). */
  connections: number
  requests: ConnectionRequest[]
  counters: Counters
  nodeError?: string
  addresses: string[]
  relays: RelayView[]
  /** The ICE servers WebRTC uses now, the user's or those the relays offered; never a credential. */
  iceServers: IceServerView[]
  peers: PeerView[]
}

/** queued: stored, waiting for the stream; sent: written, waiting for the ack; then delivered or failed. */
export type MessageState = 'queued' | 'sent' | 'delivered' | 'failed' | 'received'

export interface MessageView {
  id: string
  peerId: string
  direction: 'out' | 'in'
  seq: number
  text: string
  /** UTF-8 size of the text. */
  bytes: number
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
  setIceServers: Status
  getIceServers: IceServer[]
  setLimits: Status
  setAcceptUnknownPeers: Status
  resetLimits: Status
  exportIdentity: { peerId: string, privateKey: string }
  importIdentity: Status
  markRead: null
  acceptRequest: PeerView
  refuseRequest: null
  addPeer: PeerView
  removePeer: null
  resetPeer: null
  closePeer: PeerView
  reconnectPeer: PeerView
  send: SendResult
  retry: SendResult
  sendMany: SendResult[]
  speedTest: SpeedTestResult
  diagnostics: Diagnostics
  getMessage: MessageView
  awaitDelivery: MessageView
  getMessages: MessageView[]
}

export type ApiEvent =
  /**
   * The first event on every subscription, also after the worker restarted:
   * events may have been missed while no port was open, so read again what
   * you show (a status event follows).
   */
  | { type: 'subscribed' }
  | { type: 'status', status: Status }
  /** New messages and changed states, in order, the latest state of each (batched over a few ms). */
  | { type: 'messages', messages: MessageView[] }
