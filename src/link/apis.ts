/** The two APIs the halves expose to each other over the link, and the deadline of each call. */
import { DIAL_BUDGET_MS, LINK_CALL_DEADLINE_MS, LINK_SPEED_TEST_DEADLINE_MS, LINK_TRANSMIT_DEADLINE_MS } from '../common/constants.ts'
import type { Frame, Hello, PayloadKind } from '../common/wire/frames.ts'
import type { SerializedError } from '../common/errors/index.ts'
import type { LinkDeadlines } from './link-end.ts'

/** The conversation's part of a HELLO, which the worker keeps (with the mailbox token it gives that peer). */
export type ConversationHello = Pick<Hello, 'incarnation' | 'peerIncarnation' | 'nextExpectedSeq' | 'firstSeq' | 'mailboxToken'>
import type { ConnectionRequest, ConnectionView, Counters, IceServerView, NodeState, PeerState, RelayView, SpeedTestRequest, SpeedTestResult } from '../common/model.ts'

/** What the worker gives the offscreen document to run a node. */
export interface NodeConfig {
  /** The identity, as a libp2p protobuf-encoded Ed25519 private key. */
  privateKey: Uint8Array
  relays: string[]
  iceServers: RTCIceServer[]
  /** Peers whose streams are accepted; everyone else is refused (unless `acceptUnknownPeers`). */
  allowedPeers: string[]
  acceptUnknownPeers: boolean
  maxConnections: number
  maxMessageBytes: number
  /** Applied to streams opened from now on. */
  writeTimeoutMs: number
  inactivityTimeoutMs: number
  /** Connections unused this long are let go; applies at once. */
  idleConnectionMs: number
  stuckStreamMs: number
  retryBaseMs: number
  retryCapMs: number
  /** SHA-256 of every mailbox token this browser hands out: their holders may leave it mail on its relays. */
  mailboxTokenHashes: Uint8Array[]
}

export interface PeerConnectionInfo {
  state: PeerState
  connection: ConnectionView | null
  lastError?: string
  /** Dial attempts made to this peer since the node started. */
  dialAttempts: number
  /** How the last stream to this peer ended: local or remote, clean or with which error. */
  lastClose?: string
  /** When its connection was let go for being idle (ms since the epoch): it is dialed again when there is something to say. */
  restedAt?: number
  bufferedBytes: number
  rttMs: number | null
  rttHistoryMs: number[]
}

/** The node as the offscreen document sees it. */
export interface NodeInfo {
  peerId: string | null
  state: NodeState
  error?: string
  addresses: string[]
  relays: RelayView[]
  peers: Record<string, PeerConnectionInfo>
  connections: number
  requests: ConnectionRequest[]
  counters: Counters
  /** When the running libp2p node started (ms since the epoch): a new value means every connection is new. */
  startedAt: number | null
  /** The ICE servers WebRTC uses now: the user's, or else those the relays offered. */
  iceServers: IceServerView[]
}

/** Exposed by the offscreen document: the mechanics of the network. */
export type OffscreenApi = {
  /** Starts the node, or restarts it when the config changed; answers with its state. */
  start: (config: NodeConfig) => Promise<NodeInfo>
  info: () => Promise<NodeInfo>
  setAllowedPeers: (peerIds: string[]) => Promise<void>
  /** Allows and disallows a few peers, leaving the rest as they are: a contact added costs the same with 1,000 contacts as with 10. */
  changeAllowedPeers: (change: { allow: string[], disallow: string[] }) => Promise<void>
  /** Forgets a refused peer's connection request. */
  dismissRequest: (peerId: string) => Promise<void>
  /** Drops connection state kept for peers not connected now (stale-peer cleanup). */
  forgetPeers: (peerIds: string[]) => Promise<void>
  /**
   * Writes message frames to the peer's open stream in order, each after the
   * SKIP its `skipFrom` asks for; `NotConnectedError` when there is no stream.
   */
  sendMessages: (peerId: string, frames: MessageFrame[]) => Promise<void>
  /**
   * Opens a stream to the peer unless one is open, dialing it through our
   * relays and the peer's own known `addresses` (its relays' circuit addresses).
   */
  connect: (peerId: string, addresses: string[]) => Promise<void>
  /** Sends CLOSE and hangs up on the peer. */
  closePeer: (peerId: string) => Promise<void>
  /** Resets the peer's stream (the peer sees a StreamResetError); the worker reconnects. */
  resetPeer: (peerId: string) => Promise<void>
  /** The worker noticed a wake (across its own restarts): reconnect relays at once. */
  woke: () => Promise<void>
  /** Measures the raw libp2p stream to a connected peer (below Peerlink's outbox and acks). */
  speedTest: (peerId: string, request: SpeedTestRequest) => Promise<SpeedTestResult>
  /** Memory figures of the offscreen document. */
  diagnostics: () => Promise<{ jsHeapUsedBytes: number | null, inboundBufferedBytes: number }>
  /**
   * Seals part of the conversation for the peer and leaves it in its mailbox
   * on up to two of its relays; answers which relays hold all of it, and why
   * the others refused.
   */
  depositMail: (peerId: string, mail: OutgoingMail) => Promise<DepositOutcome>
  /** The tokens whose holders may leave us mail changed (a contact added or removed, the card's token rotated). */
  setMailboxTokens: (tokenHashes: Uint8Array[]) => Promise<void>
  /** Fetches our mail from every relay we are reserved on now (the node also does on each reservation and notice). */
  fetchMail: () => Promise<void>
}

/** Part of a conversation to leave in a peer's mailbox. */
export interface OutgoingMail {
  /** The conversation's part of our HELLO; the node adds its limits and addresses, as on a stream. */
  hello: ConversationHello
  /** Messages after what the peer holds, each after the SKIP its `skipFrom` asks for. */
  messages: MessageFrame[]
  /** Where the peer is reserved (its relays' circuit addresses, from its card and HELLO), and the token it gave us. */
  addresses: string[]
  token: string
  /** When it is sealed (ms), and the `sentAt` of the newest envelope of the peer's we applied. */
  sentAt: number
  seenSentAt: number
}

export interface DepositOutcome {
  /** The relays (peer ids) that hold every envelope of this deposit, on disk. */
  stored: string[]
  /** Why each other relay did not (MailboxRefusedError: the relay, the reason, the limit). */
  refusals: SerializedError[]
}

/** An envelope from the peer, opened and checked by the node: part of the conversation, in the order it was sealed. */
export interface MailIn {
  /** Random, one per envelope (each relay's copy its own): an envelope handed over twice is caught by it. */
  id: string
  sentAt: number
  /** The `sentAt` (ours) of the newest envelope of ours the peer had applied when it sealed this one. */
  seenSentAt: number
  /** The relay (peer id) it came from. */
  relay: string
  hello: Hello
  /** What follows the HELLO: MESSAGE, SKIP, ACK and CLOSE frames, in order. */
  frames: Array<Extract<Frame, { type: 'message' | 'skip' | 'ack' | 'close' }>>
}

/** How long each call to the node may take; `connect` gets the whole dial budget and a margin. */
export const NODE_CALL_DEADLINES_MS: LinkDeadlines<OffscreenApi> = {
  start: LINK_TRANSMIT_DEADLINE_MS,
  info: LINK_CALL_DEADLINE_MS,
  setAllowedPeers: LINK_CALL_DEADLINE_MS,
  changeAllowedPeers: LINK_CALL_DEADLINE_MS,
  dismissRequest: LINK_CALL_DEADLINE_MS,
  forgetPeers: LINK_CALL_DEADLINE_MS,
  sendMessages: LINK_TRANSMIT_DEADLINE_MS,
  connect: DIAL_BUDGET_MS + LINK_CALL_DEADLINE_MS,
  closePeer: LINK_CALL_DEADLINE_MS,
  resetPeer: LINK_CALL_DEADLINE_MS,
  woke: LINK_CALL_DEADLINE_MS,
  speedTest: LINK_SPEED_TEST_DEADLINE_MS,
  diagnostics: LINK_CALL_DEADLINE_MS,
  // Two relays, each a dial and one request per envelope.
  depositMail: LINK_TRANSMIT_DEADLINE_MS,
  setMailboxTokens: LINK_CALL_DEADLINE_MS,
  fetchMail: LINK_TRANSMIT_DEADLINE_MS
}

export interface MessageFrame {
  seq: number
  /** The messages from here to `seq - 1` failed: a SKIP for them goes out just before this one. */
  skipFrom?: number
  /** The message's id, carried on the wire: one sent again after it failed keeps it. */
  id: string
  body: Uint8Array
  /** The client the message belongs to (`peerlink`: Peerlink's own pages). */
  channel: string
  kind: PayloadKind
}

/** Exposed by the worker: policy and durable state. */
export type WorkerApi = {
  /**
   * Stores inbound messages durably and answers the cumulative sequence
   * number to acknowledge (-1: none); the offscreen document acks only then.
   */
  deliver: (peerId: string, frames: MessageFrame[]) => Promise<number>
  /** The peer acknowledged every message up to and including `seq`. */
  acked: (peerId: string, seq: number) => Promise<void>
  /** The peer's messages from `from` to `seq` failed; answers the sequence number to acknowledge. */
  skipTo: (peerId: string, from: number, seq: number) => Promise<number>
  /** A new stream's HELLO: the peer's incarnation of the conversation, what it expects next, its limits. */
  peerHello: (peerId: string, hello: Hello) => Promise<void>
  /** What to put in our HELLO on a new stream to the peer (the node adds its limits and addresses). */
  ourHello: (peerId: string) => Promise<ConversationHello>
  /** The peer cannot take messages for now (its storage is full): hold them until its next HELLO. */
  peerPaused: (peerId: string, reason: 'storage-full') => Promise<void>
  /** The peer sent CLOSE: it ended the conversation on purpose. */
  peerClosed: (peerId: string) => Promise<void>
  /** The stream to the peer ended (reset, closed, or its connection died). */
  streamLost: (peerId: string) => Promise<void>
  /** The stream ended because one side let the idle connection go: nothing to dial for until there is something to say. */
  streamRested: (peerId: string) => Promise<void>
  nodeChanged: (info: NodeInfo) => Promise<void>
  /** The offscreen document's clock jumped: the machine slept. */
  woke: () => Promise<void>
  /** Where the peer says it can be reached (from identify and its HELLO): kept, capped, for the next dial. */
  peerAddresses: (peerId: string, addresses: string[]) => Promise<void>
  /** An unknown peer connected while `acceptUnknownPeers` is on: make it a contact. */
  unknownPeerAccepted: (peerId: string) => Promise<void>
  /**
   * Mail from the peer, taken from a relay: applied in order, committed, and
   * answered (how many envelopes were applied, and how many refused: handed
   * over before, or breaking the protocol); the node deletes it at the relay only then.
   */
  mailArrived: (peerId: string, mails: MailIn[]) => Promise<{ applied: number, rejected: number }>
}

/** How long each call to the worker may take; a slow one is asked again (every call is safe to repeat). */
export const WORKER_CALL_DEADLINES_MS: LinkDeadlines<WorkerApi> = {
  deliver: LINK_CALL_DEADLINE_MS,
  acked: LINK_CALL_DEADLINE_MS,
  skipTo: LINK_CALL_DEADLINE_MS,
  peerHello: LINK_CALL_DEADLINE_MS,
  ourHello: LINK_CALL_DEADLINE_MS,
  peerPaused: LINK_CALL_DEADLINE_MS,
  peerClosed: LINK_CALL_DEADLINE_MS,
  streamLost: LINK_CALL_DEADLINE_MS,
  streamRested: LINK_CALL_DEADLINE_MS,
  nodeChanged: LINK_CALL_DEADLINE_MS,
  woke: LINK_CALL_DEADLINE_MS,
  unknownPeerAccepted: LINK_CALL_DEADLINE_MS,
  peerAddresses: LINK_CALL_DEADLINE_MS,
  mailArrived: LINK_TRANSMIT_DEADLINE_MS
}
