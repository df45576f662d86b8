import * as v from 'valibot'
import { ValidationError } from './errors/index.ts'
import {
  DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_PENDING_BYTES_PER_PEER, DEFAULT_MAX_PENDING_MESSAGES_PER_PEER
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
  maxPendingBytesPerPeer: whole(64 * 1024, 1024 * 1024 * 1024)
})

export type Limits = v.InferOutput<typeof LimitsSchema>

export const DEFAULT_LIMITS: Limits = {
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxPendingMessagesPerPeer: DEFAULT_MAX_PENDING_MESSAGES_PER_PEER,
  maxPendingBytesPerPeer: DEFAULT_MAX_PENDING_BYTES_PER_PEER
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
  return parsed.output
}
