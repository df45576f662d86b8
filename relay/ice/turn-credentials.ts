/**
 * Short-lived TURN credentials in the "TURN REST API" scheme
 * (draft-uberti-behave-turn-rest), which coturn checks with `use-auth-secret`
 * and `static-auth-secret`: the relay and the TURN server share a secret, and
 * no per-user state is kept anywhere.
 */
import { createHmac } from 'node:crypto'

export interface TurnCredential {
  /** `<expiry, unix seconds>:<label>`. */
  username: string
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string
  /** Unix seconds after which the TURN server refuses the username. */
  expiresAt: number
}

export interface IssueOptions {
  secret: string
  ttlSeconds: number
  /** Says whom the credential is for in the TURN server's logs (a peer id); no ':' in it. */
  label: string
  /** Now, in milliseconds since the epoch. */
  now: number
}

/** The password that goes with a TURN REST API username: base64(HMAC-SHA1(secret, username)). */
export function turnPassword (secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64')
}

/** A TURN username and password valid for `ttlSeconds` from `now`. */
export function issueTurnCredential (options: IssueOptions): TurnCredential {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) throw new RangeError(`TURN ttl must be a positive whole number of seconds, got ${options.ttlSeconds}`)
  // coturn reads the expiry up to the first ':' (its default rest-api-separator).
  if (options.label.includes(':')) throw new RangeError(`TURN username label must not contain ':', got "${options.label}"`)
  const expiresAt = Math.floor(options.now / 1000) + options.ttlSeconds
  const username = `${expiresAt}:${options.label}`
  return { username, credential: turnPassword(options.secret, username), expiresAt }
}
