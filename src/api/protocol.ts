/**
 * The Peerlink message API: what Peerlink's own pages, other extensions
 * (`chrome.runtime.sendMessage(PEERLINK_ID, …)`) and allowed web pages
 * (`window.peerlink`) send, and the events they receive on a
 * `runtime.connect({ name: EVENTS_PORT_NAME })` port. Documented for users
 * in API.md.
 */
import * as v from 'valibot'
import {
  MAX_AWAIT_DELIVERY_MS, MAX_MESSAGE_TTL_MS, MAX_MESSAGES_PAGE, MAX_SEND_MANY_MESSAGES, MAX_SPEED_TEST_COUNT,
  MAX_SPEED_TEST_MESSAGE_BYTES, MAX_SPEED_TEST_TOTAL_BYTES, MESSAGE_ID_PATTERN, MIN_MESSAGE_TTL_MS
} from '../common/constants.ts'
import { CLIENT_ID_PATTERN, OWN_CHANNEL, type ClientId } from '../common/client-id.ts'
import type { SerializedError } from '../common/errors/index.ts'
import { IceServerInputSchema, type IceServer } from '../common/ice-servers.ts'
import type { Limits } from '../common/limits.ts'
import type { ConnectionRequest, ConnectionView, Counters, IceServerView, NodeState, PeerState, RelayView, SpeedTestResult } from '../common/model.ts'

export type { IceServer, IceServerInput } from '../common/ice-servers.ts'
export type { ClientId } from '../common/client-id.ts'
export { OWN_CHANNEL } from '../common/client-id.ts'
export type { ConnectionRequest, ConnectionView, Counters, IceServerView, MailboxView, NodeState, PeerState, RelayState, RelayView, Route, SpeedTestRequest, SpeedTestResult, Transport } from '../common/model.ts'
export type { SerializedError } from '../common/errors/index.ts'

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
/** A port for `subscribed` and status events only: for pages that show no messages (every message event crosses the browser's processes). */
export const STATUS_PORT_NAME = 'peerlink/status'
/**
 * A port Peerlink's own pages send their requests over, `{ id, envelope }`
 * each, answered `{ id, response }`: one message each way instead of a
 * one-shot channel per request (0.1 against 1.3 ms a round trip here).
 */
export const REQUESTS_PORT_NAME = 'peerlink/requests'

/** A request on the requests port, and its answer. */
export interface PortRequest { id: number, envelope: ApiEnvelope }
export interface PortAnswer { id: number, response: ApiResponse }

const text = v.string()
/** A binary payload, base64 (with padding) since runtime messaging carries JSON; checked in full by the outbox. */
const base64 = v.string()
const client = v.pipe(v.string(), v.regex(CLIENT_ID_PATTERN, 'a client is "extension:<id>" or "origin:<scheme>://<host>[:port]"'))
/** A channel: a client's id, or Peerlink's own (`peerlink`). */
const channel = v.union([v.literal(OWN_CHANNEL), client])
/** One message's payload: `text`, or `bytes` (base64); exactly one of them. */
const payload = { text: v.optional(text), bytes: v.optional(base64) }
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
  v.object({ method: v.literal('setNotifications'), on: v.boolean() }),
  v.object({ method: v.literal('resetLimits') }),
  v.object({ method: v.literal('exportIdentity') }),
  v.object({ method: v.literal('importIdentity'), privateKey: text }),
  v.object({ method: v.literal('markRead'), peerId: text }),
  v.object({ method: v.literal('acceptRequest'), peerId: text, name: v.optional(text) }),
  v.object({ method: v.literal('refuseRequest'), peerId: text }),
  /** A peer id, or a contact card (`card`), or a peer id with its addresses; checked in full by the handler. */
  v.object({ method: v.literal('addPeer'), peerId: v.optional(text), card: v.optional(text), addresses: v.optional(v.array(text)), name: v.optional(text) }),
  v.object({ method: v.literal('removePeer'), peerId: text }),
  v.object({ method: v.literal('setMuted'), peerId: text, muted: v.boolean() }),
  /** A new mailbox token on this browser's card: whoever holds an older card (and is no contact) can no longer leave it mail. */
  v.object({ method: v.literal('rotateCardToken') }),
  v.object({ method: v.literal('resetPeer'), peerId: text }),
  v.object({ method: v.literal('closePeer'), peerId: text }),
  v.object({ method: v.literal('reconnectPeer'), peerId: text }),
  /** Peerlink's own pages only: let a client (another extension, a web origin) use Peerlink, or stop it. */
  v.object({ method: v.literal('allowClient'), client }),
  v.object({ method: v.literal('revokeClient'), client }),
  /** Peerlink's own pages only: drops a client's request from the list (it is listed again if it asks again). */
  v.object({ method: v.literal('refuseClient'), client }),
  v.object({
    method: v.literal('send'),
    peerId: text,
    ...payload,
    id: v.optional(messageId),
    ttlMs,
    awaitDelivery: v.optional(v.boolean())
  }),
  /**
   * Sends a failed message again, keeping its id: a peer that had it after
   * all stores it once. Ids are each channel's own: `channel` names the
   * message's (a client's is its own; Peerlink's pages default to theirs).
   */
  v.object({ method: v.literal('retry'), id: messageId, channel: v.optional(channel) }),
  v.object({
    method: v.literal('sendMany'),
    peerId: text,
    messages: v.pipe(v.array(v.object({ ...payload, id: v.optional(messageId) })), v.minLength(1), v.maxLength(MAX_SEND_MANY_MESSAGES)),
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
  v.object({ method: v.literal('getMessage'), id: messageId, channel: v.optional(channel) }),
  v.object({ method: v.literal('awaitDelivery'), id: messageId, channel: v.optional(channel), timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_AWAIT_DELIVERY_MS))) }),
  v.object({
    method: v.literal('getMessages'),
    peerId: text,
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_MESSAGES_PAGE))),
    /** A message's id: answer the page of messages just older than it. */
    before: v.optional(messageId),
    /** The channel to read; a client reads only its own (the default), Peerlink's pages any (default: their own). */
    channel: v.optional(channel)
  })
])

export type ApiRequest = v.InferOutput<typeof ApiRequestSchema>
export type ApiMethod = ApiRequest['method']

/** What a runtime message to Peerlink looks like on the wire. */
export interface ApiEnvelope {
  api: typeof API_TAG
  request: ApiRequest
  /**
   * Set only by Peerlink's content script on an allowed site: the page's
   * origin, from its location. The worker checks it against the sender the
   * browser reports, so a page cannot claim another origin.
   */
  origin?: string
}

/** The methods a client (another extension, an allowed site) may call; every other one is `NotAuthorizedError`. */
export const CLIENT_METHODS = ['getStatus', 'send', 'sendMany', 'retry', 'getMessage', 'awaitDelivery', 'getMessages'] as const satisfies readonly ApiMethod[]
export type ClientMethod = typeof CLIENT_METHODS[number]

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
  /**
   * When the connection was let go because neither side used it for the
   * idle limit (ms since the epoch). The peer was reachable then; the next
   * message from either side dials again.
   */
  restedAt?: number
  /** Bytes written to the stream and not yet taken by the transport. */
  bufferedBytes: number
  /** Bytes sent to the peer and not yet acknowledged (at most 1 MiB: the window). */
  inFlightBytes: number
  /** Messages from the peer not looked at yet. */
  unread: number
  /** The person silenced its notifications. */
  muted: boolean
  /** The newest message on Peerlink's own channel, for the list of conversations: its start (at most 100 characters of text). */
  last?: LastMessage
  /** The peer asked us to hold our messages (its storage is full); they are sent after its next HELLO. */
  paused?: 'storage-full'
  /**
   * Whether we can leave it mail while it is offline (we hold a token it
   * gave us, through its card or HELLO), and why the last deposit failed,
   * while it did (a MailboxRefusedError: which relay, why, the limit), with
   * when it is tried again.
   */
  mailbox: { token: boolean, error?: SerializedError, retryAt?: number }
  /** Last round trip (libp2p ping, every 10 s while connected), and the last few minutes of them. */
  rttMs: number | null
  rttHistoryMs: number[]
}

/** A conversation's newest message, as the list of conversations shows it. */
export interface LastMessage {
  id: string
  at: number
  direction: 'out' | 'in'
  kind: 'text' | 'bytes'
  /** The start of a text message; empty for bytes. */
  text: string
}

/** The worker's link to the offscreen document. */
export interface LinkView {
  connected: boolean
  /** Numbers links; a new one after every worker start or document re-creation. */
  epoch: number
  /** Time from this worker's start to its first answered call over the link, when there was one. */
  firstCallAfterStartMs: number | null
}

/** A client of Peerlink: another extension or a web origin, asking or allowed. */
export interface ClientView {
  client: ClientId
  kind: 'extension' | 'origin'
  /** requested: refused so far and waiting for the user; allowed: may use Peerlink on its channel. */
  state: 'requested' | 'allowed'
  /**
   * Who made the request: `client`, the client itself on this browser (it
   * called Peerlink); `peers`, contacts sent messages on its channel, and it
   * never asked here. A peer chooses the channels it names: such requests are
   * listed apart, few, and gone once nothing waits for them.
   */
  requestedBy: 'client' | 'peers'
  /** Requests refused here while it was not allowed, and when the first and last came. */
  attempts: number
  firstAt: number
  lastAt: number
  /** Messages from peers on its channel (stored, shown to it once it is allowed). */
  waiting: number
}

/** What a client sees of Peerlink: this browser's peer id, and the contacts' ids, names and states. */
export interface ClientStatus {
  peerId: string | null
  client: ClientId
  peers: Array<{ peerId: string, name: string, state: PeerState }>
}

export interface Status {
  peerId: string | null
  /** The mailbox token on this browser's contact card: whoever holds the card may leave it mail. */
  cardToken: string
  node: NodeState
  link: LinkView
  limits: Limits
  acceptUnknownPeers: boolean
  /** System notifications for messages, connection requests and give-ups (on by default; each contact can be muted). */
  notifications: boolean
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
  /** Other extensions and sites: those asking to use Peerlink, and those allowed. */
  clients: ClientView[]
}

/**
 * queued: stored, waiting for the stream; sent: written, waiting for the ack;
 * stored: in the contact's mailbox on a relay (`storedAt`), waiting for the
 * contact to fetch it and ack; then delivered (only on the contact's ack) or failed.
 */
export type MessageState = 'queued' | 'sent' | 'stored' | 'delivered' | 'failed' | 'received'

export interface MessageView {
  id: string
  peerId: string
  direction: 'out' | 'in'
  seq: number
  /** The client whose message it is (its id), or `peerlink`: Peerlink's own pages. */
  channel: string
  /** What the payload is: `text`, or `bytes` (then in `data`, base64). */
  kind: 'text' | 'bytes'
  /** The text of a text message; empty for bytes. */
  text: string
  /** The payload of a bytes message, base64. */
  data?: string
  /** The payload's size: the text's UTF-8 bytes, or the decoded bytes. */
  bytes: number
  at: number
  state: MessageState
  /** A stored message: the relays (peer ids) holding it in the contact's mailbox. */
  storedAt?: string[]
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
  setNotifications: Status
  resetLimits: Status
  exportIdentity: { peerId: string, privateKey: string }
  importIdentity: Status
  markRead: null
  acceptRequest: PeerView
  refuseRequest: null
  addPeer: PeerView
  removePeer: null
  setMuted: PeerView
  rotateCardToken: Status
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
  allowClient: ClientView
  revokeClient: null
  refuseClient: null
}

/** The answers a client gets: the same, except its status. */
export type ClientApiResults = Omit<Pick<ApiResults, ClientMethod>, 'getStatus'> & { getStatus: ClientStatus }

export type ApiEvent =
  /**
   * The first event on every subscription, also after the worker restarted:
   * events may have been missed while no port was open, so read again what
   * you show (a status event follows).
   */
  | { type: 'subscribed' }
  | { type: 'status', status: Status }
  /** What a client gets instead of `status`. */
  | { type: 'client-status', status: ClientStatus }
  /** A client's port that is not (or no longer) allowed gets this, then is closed. */
  | { type: 'refused', error: SerializedError }
  /** New messages and changed states, in order, the latest state of each (batched over a few ms). */
  | { type: 'messages', messages: MessageView[] }
