/** Every default in one place, each with its unit in the name. */

/**
 * The Peerlink wire protocol spoken on one stream per peer. Version 2: the
 * frames are protobuf (`wire/frame.proto`), HELLO carries the conversation's
 * incarnation and the sender's limits, MESSAGE its id.
 */
export const PEERLINK_PROTOCOL = '/peerlink/2.0.0'

/** A message id: chosen by the caller or made up by Peerlink, carried on the wire. */
export const MESSAGE_ID_PATTERN = /^[\w-]{1,64}$/

/** Longest multiaddr accepted from a peer or a contact card, in characters. */
export const MAX_ADDRESS_CHARS = 512

/** Largest message payload a caller may send, and largest frame accepted from a peer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** Frame overhead allowed on top of the payload: the protobuf fields around it (type, seq, id, lengths). */
export const FRAME_HEADER_BYTES = 128

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

/** How long a call waits for a link when none is up (the worker for the document, or the document for the worker). */
export const DEFAULT_LINK_TIMEOUT_MS = 15_000

/** Delivered and received messages kept per conversation; the oldest are pruned, pending ones never. */
export const DEFAULT_HISTORY_PER_PEER = 10_000

/** A conversation is pruned after this many new messages (or half its limit, if smaller), in the background. */
export const PRUNE_EVERY_MESSAGES = 100

/**
 * Messages written together are stored as one record of at most this many
 * messages and bytes: a record costs IndexedDB about what five messages of
 * 1 KiB inside one do, while every read of a message (an ack, a resend, a
 * page) reads its whole record. A message of 64 KiB is a record of its own,
 * as it always was: at that size the record's own cost is lost in its bytes.
 */
export const MAX_BURST_MESSAGES = 64
export const MAX_BURST_BYTES = 64 * 1024

/** Cap on relays and peers a user may configure: keeps storage and dials bounded. */
export const MAX_RELAYS = 16
export const MAX_PEERS = 1_000
/** Of those, contacts let in by "accept anyone": strangers can never take the list from the user. */
export const MAX_AUTO_ACCEPTED_PEERS = 100

/** Addresses kept per contact (learned from the peer, or from its contact card). */
export const MAX_CONTACT_ADDRESSES = 8

/** Longest contact card, in characters: eight relay addresses fit, and so does one QR code. */
export const MAX_CONTACT_CARD_CHARS = 2_048

/** ICE servers a user may set, URLs per server, and the length of a URL, a username and a credential. */
export const MAX_ICE_SERVERS = 8
export const MAX_ICE_SERVER_URLS = 4
export const MAX_ICE_URL_CHARS = 512
export const MAX_ICE_CREDENTIAL_CHARS = 512

/** The connectivity check's candidate gathering gives up after this long and judges what it found. */
export const ICE_CHECK_TIMEOUT_MS = 15_000

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

/**
 * Offscreen → worker: a link silent this long while a call waits (its probe
 * unanswered) means the worker stopped; the document wakes it and relinks.
 */
export const WORKER_LINK_SILENCE_MS = 3_000

/**
 * Worker → offscreen: a link silent this long while a call waits means the
 * document is gone; the document check (every 2 s) usually notices first.
 */
export const NODE_LINK_SILENCE_MS = 15_000

/** Deadline of an ordinary call across the link; each call fails alone past its own. */
export const LINK_CALL_DEADLINE_MS = 15_000

/** Deadline of a call that writes to a stream or starts the node, which may wait on the network. */
export const LINK_TRANSMIT_DEADLINE_MS = 60_000

/** Deadline of a speed test call: up to 256 MiB through the stream. */
export const LINK_SPEED_TEST_DEADLINE_MS = 120_000

/** The whole time one `connect` may spend dialing a peer, every attempt through every relay included. */
export const DIAL_BUDGET_MS = 60_000

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

/**
 * A connection the conversation has not used for this long (nothing but
 * keepalives either way) is let go, and dialed again when there is
 * something to say: idle contacts cost no CPU and no traffic.
 */
export const DEFAULT_IDLE_CONNECTION_MS = 300_000

/** The shortest idle time before a connection is let go that the options page allows. */
export const MIN_IDLE_CONNECTION_MS = 5_000

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

// The worker's policy and the pages' API.

/** How long a caller awaiting delivery is held before it is answered with the state so far. */
export const AWAIT_DELIVERY_MS = 30_000

/** Longest wait a caller may ask of `awaitDelivery`. */
export const MAX_AWAIT_DELIVERY_MS = 60_000

/**
 * How often an awake worker checks that the offscreen document still exists.
 * Chrome may close it without a word, and a MessagePort to it does not say
 * so here; the check keeps nothing alive.
 */
export const OFFSCREEN_CHECK_INTERVAL_MS = 2_000

/**
 * The heartbeat alarm's period, which is also the worker's wake-detector
 * tick: Chrome's minimum while there is work (messages waiting, dials due),
 * and longer when idle, since every alarm keeps the worker running.
 */
export const HEARTBEAT_BUSY_PERIOD_MS = 30_000
export const HEARTBEAT_IDLE_PERIOD_MS = 5 * 60_000

/**
 * The offscreen document check runs only within this long of the worker's
 * last call to the node: `runtime.getContexts` is an extension API call, and
 * each one resets the worker's idle timer.
 */
export const OFFSCREEN_CHECK_AFTER_ACTIVITY_MS = 20_000

/** Status changes within this long go out to pages as one event. */
export const STATUS_EVENT_DELAY_MS = 50

/**
 * Badge changes within this long are shown once: the unread count changes
 * with every burst received, and each change is two calls to the browser.
 */
export const BADGE_DELAY_MS = 100

/**
 * A burst of messages from one contact is told in one notification this
 * long after it began: time for a page showing the conversation to read
 * them (then none shows), and for the burst to be counted as one.
 */
export const NOTICE_DELAY_MS = 1_500

/** A notification shows this much of a message's text at most. */
export const NOTICE_PREVIEW_CHARS = 120

/**
 * After API requests, the heartbeat alarm is checked once within this long:
 * checking it reads every peer's ledger and asks the browser for the alarm,
 * and a page polling `getStatus` made it cost more than the requests.
 */
export const HEARTBEAT_CHECK_DELAY_MS = 1_000

/** Message changes within this long go out to pages as one event. */
export const MESSAGE_EVENT_DELAY_MS = 5

/** How stale a stored last-seen time may get: a busy conversation writes it at most this often. */
export const LAST_SEEN_PRECISION_MS = 10_000

/** The most message bytes one `getMessages` answer carries (at least one message, however large). */
export const MAX_MESSAGES_PAGE_BYTES = 8 * 1024 * 1024

/** Messages `getMessages` answers when the caller names no number, and the most it may ask for. */
export const DEFAULT_MESSAGES_PAGE = 200
export const MAX_MESSAGES_PAGE = 10_000

/** A message's time to live, as a caller may set it. */
export const MIN_MESSAGE_TTL_MS = 1_000
export const MAX_MESSAGE_TTL_MS = 30 * 24 * 3600_000

/** Messages in one `sendMany`. */
export const MAX_SEND_MANY_MESSAGES = 1_000

/** The speed test's defaults and bounds. */
export const DEFAULT_SPEED_TEST_MESSAGE_BYTES = 64 * 1024
export const DEFAULT_SPEED_TEST_TOTAL_BYTES = 64 * 1024 * 1024
export const DEFAULT_SPEED_TEST_ROUND_TRIP_BYTES = 100
export const DEFAULT_SPEED_TEST_COUNT = 100
export const MAX_SPEED_TEST_MESSAGE_BYTES = 256 * 1024
export const MAX_SPEED_TEST_TOTAL_BYTES = 256 * 1024 * 1024
export const MAX_SPEED_TEST_COUNT = 10_000

/** Delay before a page re-subscribes after the worker went away (it restarts on the next event). */
export const RESUBSCRIBE_DELAY_MS = 250

/** Requests a page repeats after transport failures (a stopping worker), and the pause between. */
export const TRANSPORT_RETRY_ATTEMPTS = 20
export const TRANSPORT_RETRY_PAUSE_MS = 100

// The node's mechanics (offscreen document).

/** A stream on a connection libp2p reused may take this long to open: one round trip on a live connection. */
export const REUSED_CONNECTION_STREAM_TIMEOUT_MS = 2_000

// Reaching peers across networks (offscreen document).

/**
 * A dial gives WebRTC this long before it also opens a relayed stream: long
 * enough for ICE through a NAT with STUN or TURN (well under a second here),
 * short enough that the first message does not wait long when only the
 * relay gets through. Whichever opens first carries the messages.
 */
export const RELAYED_FALLBACK_AFTER_MS = 1_500

/** While a peer is reached through a relay, WebRTC is tried again: full jitter from this base, doubling up to the cap. */
export const WEBRTC_RETRY_BASE_MS = 2_000
export const WEBRTC_RETRY_CAP_MS = 5 * 60_000

/** Relays that contacts are known to use (besides ours), kept to dial contacts through; the least recently named goes first. */
export const MAX_RELAY_POOL = 16
/** Relays one contact may place in that pool: no contact can fill it with relays of its own. */
export const MAX_RELAY_POOL_PER_PEER = 2

/** A relay's ICE offer is asked for again this long before it expires, and never sooner than the minimum after the last. */
export const ICE_OFFER_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000
export const MIN_ICE_OFFER_REFRESH_MS = 30_000

/** One ICE offer request (a stream to the relay, one answer); a failed one is tried again after the retry delay. */
export const ICE_OFFER_TIMEOUT_MS = 10_000
export const ICE_OFFER_RETRY_MS = 30_000

/** A relay that withholds TURN for now (the reservation is too new) is asked again when it says, never sooner than this. */
export const MIN_TURN_ASK_DELAY_MS = 2_000

/**
 * A fresh node's first dials wait at most this long for the first ICE offer
 * from a relay it just reserved on: started without ICE servers, WebRTC
 * cannot cross a NAT. The offer usually comes a round trip after the
 * reservation; the bound covers a relay dial (6 s) on a loaded machine, and
 * a relay that cannot be reached, or refuses, ends the wait at once.
 */
export const FIRST_DIAL_ICE_WAIT_MS = 8_000

/** A WebRTC connection's route is read from its ICE stats when it opens and again at these delays (ICE may switch pairs). */
export const ROUTE_CHECK_DELAYS_MS = [1_000, 5_000, 30_000] as const

/** Room the frame decoder keeps, beyond two whole frames, for the next chunk from the transport. */
export const FRAME_DECODER_SLACK_BYTES = 64 * 1024

/** Connected peers are pinged this often for their round-trip time; one ping may take this long. */
export const RTT_PING_INTERVAL_MS = 10_000
export const RTT_PING_TIMEOUT_MS = 5_000

/** Round-trip samples kept per peer for the chart: about five minutes at the ping interval. */
export const RTT_HISTORY_SAMPLES = 30

/** Changes to the node's state within this long reach the worker as one report. */
export const NODE_REPORT_DELAY_MS = 50

/** A raw libp2p stream beside the Peerlink one, to measure what the layer below Peerlink can do. */
export const SPEED_TEST_PROTOCOL = '/peerlink/speedtest/1.0.0'

/** How long a speed test's stream may take to open. */
export const SPEED_TEST_STREAM_OPEN_TIMEOUT_MS = 10_000

/** After telling a peer to pause because storage is full, how long until we say HELLO again (and it resends). */
export const STORAGE_FULL_RETRY_MS = 30_000

/** What every inbound frame costs against the inbound budget, on top of its payload: control frames are not free. */
export const FRAME_COST_BYTES = 256

/** Control frames (ACK, HELLO, SKIP, PING, PAUSE) one stream may send per second, with a burst of as many; more resets it. */
export const MAX_CONTROL_FRAMES_PER_SECOND = 1_000

/** Clients (other extensions, web origins), asking or allowed, kept at most: the oldest request makes room for a new one. */
export const MAX_CLIENTS = 64
/**
 * Channels that only peers named (messages came for a client that never
 * asked here), listed apart for the user: at most this many, and this many
 * new ones an hour. Beyond that their messages still wait, unlisted.
 */
export const MAX_PEER_CLIENT_REQUESTS = 16
export const MAX_PEER_CLIENT_REQUESTS_PER_HOUR = 4
/** Requests one client may make in a second, opening an events port included; more are `ResourceLimitError` ('client-requests-per-second'). */
export const MAX_CLIENT_REQUESTS_PER_SECOND = 200
/** Events ports one client may hold open at once (a site's tabs, an extension's pages); more are `ResourceLimitError` ('client-ports'). */
export const MAX_EVENT_PORTS_PER_CLIENT = 16
/** Default share of a peer's pending messages one client may hold (Peerlink's own pages are not limited by it). */
export const DEFAULT_MAX_PENDING_MESSAGES_PER_CLIENT = 100
/** Default share of a peer's pending bytes one client may hold: a quarter of the peer's, so one client cannot fill it. */
export const DEFAULT_MAX_PENDING_BYTES_PER_CLIENT = 4 * 1024 * 1024
/**
 * Of a peer's pending messages and bytes, the part all clients together may
 * hold, whatever each one's quota: the rest is kept for Peerlink's own pages.
 */
export const CLIENTS_SHARE_OF_PEER_PENDING = 0.75
/** Freshly appended messages an outbox keeps in memory per peer to send without reading them back; past it, they are read from IndexedDB. */
export const MAX_FRESH_BYTES_PER_PEER = 4 * 1024 * 1024
/** A call from the node to the worker not answered within this nudges the worker (Chrome may have stopped it). */
export const WORKER_NUDGE_AFTER_MS = 25

/**
 * Mail for a contact who is offline (`/peerlink/mailbox/1.0.0`, on the
 * relays the contact is reserved on). Each envelope is sealed end to end and
 * carries part of the conversation as frames.
 */
/** Relays a deposit goes to, each holding every envelope: one relay down loses nothing. */
export const MAILBOX_COPIES = 2
/** A send that has no stream this long after it goes to the contact's mailbox (a failed dial sends it at once). */
export const MAIL_DEPOSIT_DELAY_MS = 3_000
/** Outgoing bytes one deposit takes at most; the rest follow in the next. */
export const MAIL_DEPOSIT_BUDGET_BYTES = 4 * 1024 * 1024
/** The envelope size assumed until a relay says its own (the relay's default); a message larger than a relay takes waits, with the reason. */
export const DEFAULT_MAIL_ENVELOPE_BYTES = 2 * 1024 * 1024
/** Room in an envelope for its seal, the HELLO and each frame's fields. */
export const MAIL_ENVELOPE_OVERHEAD_BYTES = 4 * 1024
/** A failed deposit is tried again after this, doubling up to the cap (and at once on the next send or reconnection). */
export const MAIL_RETRY_BASE_MS = 30_000
export const MAIL_RETRY_CAP_MS = 10 * 60_000
/** One mailbox request's answer may take this long. */
export const MAILBOX_CALL_TIMEOUT_MS = 15_000
/** The largest answer a fetch reads: a page of envelopes (the relay sends at most 4 MiB) and its framing. */
export const MAIL_FETCH_RESPONSE_BYTES = 5 * 1024 * 1024
/** Ids of applied envelopes remembered per contact: a relay that hands one back again is caught. */
export const MAIL_SEEN_IDS = 256
/** How long a relay keeps mail by default: a message in a contact's mailbox does not expire before. */
export const MAIL_KEPT_MS = 30 * 24 * 60 * 60_000
/** Mail sealed longer ago than this is not believed (a relay keeps mail 30 days by default). */
export const MAIL_MAX_AGE_MS = 45 * 24 * 60 * 60_000

/** The list of conversations shows this much of each one's newest text. */
export const LAST_MESSAGE_CHARS = 100

/** The newest messages a conversation shows when it opens; older ones come a page at a time as the person scrolls up. */
export const POPUP_FIRST_PAGE = 100
export const POPUP_OLDER_PAGE = 100
