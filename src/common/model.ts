/**
 * The node's state as both halves of Peerlink know it: plain data that
 * crosses the link. Pages see these through `src/api/protocol.ts`, which
 * re-exports the ones it documents.
 */

export type SpeedTestRequest =
  | { mode: 'throughput', messageBytes: number, totalBytes: number }
  | { mode: 'round-trip', messageBytes: number, count: number }

export type SpeedTestResult =
  | { mode: 'throughput', bytes: number, ms: number }
  | { mode: 'round-trip', roundTripsMs: number[] }

export type NodeState = 'starting' | 'running' | 'error'
export type RelayState = 'connecting' | 'reserved' | 'failed'
/**
 * idle: not connected, nothing to do; connecting: a dial is under way;
 * connected; reconnecting: waiting for the next attempt (`nextAttemptAt`);
 * failed: the last dial failed; closed: closed on purpose (`closedBy`), no
 * attempts until the user reconnects; given-up: too many permanent errors.
 */
export type PeerState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed' | 'given-up'
export type Transport = 'webrtc' | 'circuit-relay' | 'websockets' | 'webtransport' | 'other'

export interface RelayView {
  address: string
  state: RelayState
  error?: string
  /** When the next connection attempt is due, while the relay is unreachable. */
  nextAttemptAt?: number
  /** The mail this relay keeps for us, once it was asked. */
  mailbox?: MailboxView
}

/**
 * A relay's mailbox for us: 'yes' with what waits there (as of the last
 * answer), 'none' when the relay keeps no mail, 'unknown' before it was
 * asked. `error`: the last request to it failed.
 */
export interface MailboxView {
  state: 'yes' | 'none' | 'unknown'
  waitingEnvelopes?: number
  waitingBytes?: number
  /** The largest envelope it takes. */
  maxEnvelopeBytes?: number
  error?: string
}

/**
 * How the bytes of a connection flow: straight between the two browsers
 * (host or STUN candidates), through a TURN server, or through a circuit
 * relay. For WebRTC it comes from the selected ICE candidate pair.
 */
export type Route = 'direct' | 'turn' | 'relay'

export interface ConnectionView {
  transport: Transport
  route: Route
  /** True when bytes flow straight between the two browsers (`route` is 'direct'). */
  direct: boolean
  remoteAddr: string
}

/** An ICE server as shown to users: never its credential. */
export interface IceServerView {
  urls: string[]
  /** Set by the user, or offered by one of the relays. */
  source: 'user' | 'relay'
  /** The relay that offered it. */
  relay?: string
}

/** An unknown peer that tried to connect and was refused. */
export interface ConnectionRequest {
  peerId: string
  attempts: number
  firstAt: number
  lastAt: number
}

/** What the node refused or cut off, since it started. */
export interface Counters {
  /** Frames that did not decode, had an unknown type, or were too large: each reset its stream. */
  malformedFrames: number
  oversizeFrames: number
  farAheadFrames: number
  /** Connections refused because the peer is not allowed, or because of the connection limit. */
  refusedPeers: number
  refusedOverLimit: number
  /** Connections closed because they went over the limit after all. */
  tornDownOverLimit: number
  /** Streams reset because their written bytes stopped draining. */
  stuckStreams: number
  /** Streams reset for breaking the protocol (acknowledging what was never sent). */
  protocolErrors: number
  /** Streams reset for sending control frames faster than allowed. */
  floodedStreams: number
  /** Envelopes taken from our mailbox and applied. */
  mailboxReceived: number
  /**
   * Envelopes from our mailbox dropped unapplied: tampered with, sealed for
   * someone else or at another relay, unreadable, already applied, or from a
   * stranger.
   */
  mailboxRejected: number
  /**
   * Addresses a peer gave (HELLO, identify) that were not circuit addresses a
   * browser can use, and dials refused to a private or loopback address that
   * is none of the user's relays.
   */
  refusedAddresses: number
}
