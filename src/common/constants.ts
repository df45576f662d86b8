/** Every default in one place, each with its unit in the name. */

/** The Peerlink wire protocol spoken on one stream per peer. */
export const PEERLINK_PROTOCOL = '/peerlink/1.0.0'

/** Largest message payload a caller may send, and largest frame accepted from a peer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** Frame header overhead allowed on top of the payload (type byte + sequence number). */
export const FRAME_HEADER_BYTES = 9

/** How long one write may wait for the stream to accept it. */
export const DEFAULT_WRITE_TIMEOUT_MS = 10_000

/** Without an ack for this long, everything unacknowledged is sent again. */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000

/**
 * One dial attempt between browsers. Kept short because about one WebRTC dial
 * in seven hangs upstream (see dial.ts); a retry then succeeds.
 */
export const DEFAULT_DIAL_TIMEOUT_MS = 6_000

/** Dial attempts per send before the send is failed. */
export const DEFAULT_DIAL_ATTEMPTS = 4

/** How long the worker waits for the offscreen document to link before failing a call. */
export const DEFAULT_LINK_TIMEOUT_MS = 15_000

/** Messages kept per conversation for display; older ones are pruned. */
export const DEFAULT_HISTORY_PER_PEER = 1_000

/** Cap on relays and peers a user may configure: keeps storage and dials bounded. */
export const MAX_RELAYS = 16
export const MAX_PEERS = 1_000

/** Longest peer name, in characters. */
export const MAX_PEER_NAME_CHARS = 64

/** Messages waiting for an ack, per peer; over it `send` fails with a ResourceLimitError. */
export const DEFAULT_MAX_PENDING_MESSAGES_PER_PEER = 200

/** Bytes of messages waiting for an ack, per peer. */
export const DEFAULT_MAX_PENDING_BYTES_PER_PEER = 16 * 1024 * 1024

/** A message not acknowledged within this time fails as expired. */
export const DEFAULT_MESSAGE_TTL_MS = 24 * 60 * 60 * 1000

/**
 * Unacknowledged bytes on the wire toward one peer. Acks are the credit:
 * pausing a WebRTC stream does not stop the remote from sending, so this
 * window is what bounds the receiver's buffers while its worker is away.
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER = 1024 * 1024

/** Inbound message bytes the offscreen document holds for the worker (all peers). */
export const DEFAULT_MAX_BUFFERED_INBOUND_BYTES = 8 * 1024 * 1024

/** Offscreen → worker: a call unanswered this long means the worker stopped; wake it and relink. */
export const DEFAULT_WORKER_CALL_TIMEOUT_MS = 3_000

/** Worker → offscreen: bound on calls, except transmissions, which may wait for a dial. */
export const DEFAULT_OFFSCREEN_CALL_TIMEOUT_MS = 15_000
export const DEFAULT_TRANSMIT_CALL_TIMEOUT_MS = 60_000

/** Retry of a peer that could not be reached: full jitter between 0 and min(cap, base * 2^attempt). */
export const DEFAULT_RETRY_BASE_MS = 500
export const DEFAULT_RETRY_CAP_MS = 30_000

/** A message frame this far ahead of the next expected sequence number resets the stream. */
export const MAX_SEQ_AHEAD = 100_000

/**
 * Delay before an ack goes out. Zero still lets one ack cover a burst: the
 * frames of a burst are handed to the worker as one batch, acked once.
 */
export const ACK_DELAY_MS = 0

/** Connection attempts allowed per peer in any 60 s. */
export const DEFAULT_MAX_ATTEMPTS_PER_MINUTE = 10

/** Identical permanent errors in a row after which a peer is given up. */
export const DEFAULT_GIVE_UP_AFTER_PERMANENT_ERRORS = 5

/** A stream with no traffic for this long is closed; keepalives go out at a third of it. */
export const DEFAULT_STREAM_INACTIVITY_TIMEOUT_MS = 120_000
export const MIN_STREAM_INACTIVITY_TIMEOUT_MS = 5_000

/** The wake detector ticks this often, and calls it a wake when a tick comes this much late. */
export const WAKE_TICK_MS = 15_000
export const WAKE_LATE_MS = 30_000

/** Open connections to peers; over it, dials are refused and inbound connections torn down. */
export const DEFAULT_MAX_CONNECTIONS = 100

/** Peers not heard from for this long lose their connection state (never their messages). */
export const DEFAULT_STALE_PEER_MS = 60 * 60_000
export const STALE_SWEEP_INTERVAL_MS = 15 * 60_000

/** A stream whose written bytes have not drained for this long is reset. */
export const DEFAULT_STUCK_STREAM_MS = 60_000

/** How often streams are checked for being stuck, even when nothing new is written. */
export const STUCK_SWEEP_INTERVAL_MS = 5_000

/** Connection requests from unknown peers kept for the user to answer. */
export const MAX_CONNECTION_REQUESTS = 100
