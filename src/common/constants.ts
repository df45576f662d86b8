/** Every default in one place, each with its unit in the name. */

/** The Peerlink wire protocol spoken on one stream per peer. */
export const PEERLINK_PROTOCOL = '/peerlink/1.0.0'

/** Largest message payload a caller may send, and largest frame accepted from a peer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** Frame header overhead allowed on top of the payload (type byte + sequence number). */
export const FRAME_HEADER_BYTES = 9

/** How long one write may wait for the stream to accept it. */
export const DEFAULT_WRITE_TIMEOUT_MS = 10_000

/** How long a caller asking for delivery waits for the peer's ack. */
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
