import { describe, expect, it } from 'vitest'
import { issueTurnCredential, turnPassword } from './turn-credentials.ts'

describe('TURN REST API credentials', () => {
  // Computed outside this code: printf '%s' '1700003600:alice' | openssl dgst -sha1 -hmac north-wind -binary | base64
  const VECTOR = { secret: 'north-wind', username: '1700003600:alice', credential: 'iRtTIZ3N38dm9S+dP+UkHfnN9Qo=' }

  it('signs the username with HMAC-SHA1 of the shared secret, in base64', () => {
    expect(turnPassword(VECTOR.secret, VECTOR.username)).toBe(VECTOR.credential)
  })

  it('puts the expiry (now + ttl, unix seconds) before the label', () => {
    const issued = issueTurnCredential({ secret: VECTOR.secret, ttlSeconds: 3600, label: 'alice', now: 1_700_000_000_999 })
    expect(issued).toEqual({ username: VECTOR.username, credential: VECTOR.credential, expiresAt: 1_700_003_600 })
  })

  it('refuses a label with coturn\'s separator in it, and a ttl that is not a positive whole number', () => {
    expect(() => issueTurnCredential({ secret: 's', ttlSeconds: 60, label: 'a:b', now: 0 })).toThrow(RangeError)
    expect(() => issueTurnCredential({ secret: 's', ttlSeconds: 0, label: 'a', now: 0 })).toThrow(RangeError)
    expect(() => issueTurnCredential({ secret: 's', ttlSeconds: 1.5, label: 'a', now: 0 })).toThrow(RangeError)
  })
})
