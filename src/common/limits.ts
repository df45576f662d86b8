import * as v from 'valibot'
import { ValidationError } from './errors/index.ts'
import {
  DEFAULT_ACK_TIMEOUT_MS, DEFAULT_HISTORY_PER_PEER, DEFAULT_MAX_ATTEMPTS_PER_MINUTE, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER,
  DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_PENDING_BYTES_PER_CLIENT, DEFAULT_MAX_PENDING_BYTES_PER_PEER, DEFAULT_MAX_PENDING_MESSAGES_PER_CLIENT, DEFAULT_MAX_PENDING_MESSAGES_PER_PEER, DEFAULT_MESSAGE_TTL_MS,
  DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS, DEFAULT_STALE_PEER_MS, DEFAULT_STREAM_INACTIVITY_TIMEOUT_MS, DEFAULT_STUCK_STREAM_MS,
  DEFAULT_WRITE_TIMEOUT_MS, MIN_STREAM_INACTIVITY_TIMEOUT_MS, DEFAULT_IDLE_CONNECTION_MS, MIN_IDLE_CONNECTION_MS
} from './constants.ts'

const whole = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min, `at least ${min}`), v.maxValue(max, `at most ${max}`))

/** The limits a user may change, each with its range. */
export const LimitsSchema = v.object({
  /** Open connections to peers (relays not counted). */
  maxConnections: whole(1, 1_000),
  /** Largest message, sent or received. Under libp2p's 4 MiB stream read buffer. */
  maxMessageBytes: whole(1_024, 4 * 1024 * 1024 - 64),
  maxPendingMessagesPerPeer: whole(1, 10_000),
  maxPendingBytesPerPeer: whole(64 * 1024, 1024 * 1024 * 1024),
  /** Of a peer's pending messages, those one client (another extension, a site) may hold; Peerlink's own pages are not limited by it. */
  maxPendingMessagesPerClient: whole(1, 10_000),
  /** The same in bytes. Whatever the quotas, all clients together hold at most three quarters of a peer's limits. */
  maxPendingBytesPerClient: whole(64 * 1024, 1024 * 1024 * 1024),
  /** Unacknowledged bytes on the wire toward one peer: the sender's window. */
  maxInFlightBytesPerPeer: whole(64 * 1024, 16 * 1024 * 1024),
  messageTtlMs: whole(60_000, 30 * 24 * 3600_000),
  ackTimeoutMs: whole(1_000, 300_000),
  writeTimeoutMs: whole(1_000, 300_000),
  inactivityTimeoutMs: whole(MIN_STREAM_INACTIVITY_TIMEOUT_MS, 3_600_000),
  /** A connection to a contact unused this long is let go (both ends), and dialed again on the next message. */
  idleConnectionMs: whole(MIN_IDLE_CONNECTION_MS, 7 * 24 * 3_600_000),
  stuckStreamMs: whole(5_000, 600_000),
  retryBaseMs: whole(100, 60_000),
  retryCapMs: whole(1_000, 3_600_000),
  maxAttemptsPerMinute: whole(1, 600),
  stalePeerMs: whole(60_000, 30 * 24 * 3600_000),
  /** Delivered and received messages kept per conversation; the oldest go first, pending ones never. */
  historyPerPeer: whole(10, 1_000_000)
})

export type Limits = v.InferOutput<typeof LimitsSchema>

export const DEFAULT_LIMITS: Limits = {
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxPendingMessagesPerPeer: DEFAULT_MAX_PENDING_MESSAGES_PER_PEER,
  maxPendingBytesPerPeer: DEFAULT_MAX_PENDING_BYTES_PER_PEER,
  maxPendingMessagesPerClient: DEFAULT_MAX_PENDING_MESSAGES_PER_CLIENT,
  maxPendingBytesPerClient: DEFAULT_MAX_PENDING_BYTES_PER_CLIENT,
  maxInFlightBytesPerPeer: DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER,
  messageTtlMs: DEFAULT_MESSAGE_TTL_MS,
  ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
  writeTimeoutMs: DEFAULT_WRITE_TIMEOUT_MS,
  inactivityTimeoutMs: DEFAULT_STREAM_INACTIVITY_TIMEOUT_MS,
  idleConnectionMs: DEFAULT_IDLE_CONNECTION_MS,
  stuckStreamMs: DEFAULT_STUCK_STREAM_MS,
  retryBaseMs: DEFAULT_RETRY_BASE_MS,
  retryCapMs: DEFAULT_RETRY_CAP_MS,
  maxAttemptsPerMinute: DEFAULT_MAX_ATTEMPTS_PER_MINUTE,
  stalePeerMs: DEFAULT_STALE_PEER_MS,
  historyPerPeer: DEFAULT_HISTORY_PER_PEER
}

/** Applies a partial change to `current`; throws `ValidationError` naming the first bad field, changing nothing. */
export function mergeLimits (current: Limits, change: unknown): Limits {
  if (typeof change !== 'object' || change == null) throw new ValidationError('limits', 'expected an object of limits')
  const unknown = Object.keys(change).find(key => !(key in LimitsSchema.entries))
  if (unknown != null) throw new ValidationError(unknown, 'not a limit Peerlink has')
  const parsed = v.safeParse(LimitsSchema, { ...current, ...change })
  if (!parsed.success) {
    const issue = parsed.issues[0]
    throw new ValidationError(issue.path?.map(p => String(p.key)).join('.') ?? 'limits', issue.message)
  }
  if (parsed.output.retryCapMs < parsed.output.retryBaseMs) {
    throw new ValidationError('retryCapMs', 'must not be below the retry base')
  }
  return parsed.output
}
