import { describe, expect, it } from 'vitest'
import { turnPassword } from './turn-credentials.ts'
import { TurnGrants, type TurnGrant } from './turn-grants.ts'

const RULES = { secret: 's', ttlSeconds: 3600, afterSeconds: 5, perHour: 3 }
const MINUTE = 60_000

/** A TurnGrants on a clock the test moves; reservations made at 0. */
function grantsAt (rules = RULES): { grants: TurnGrants, clock: { now: number } } {
  const clock = { now: 1_000_000 }
  return { grants: new TurnGrants(rules, () => clock.now), clock }
}

const username = (grant: TurnGrant): string | undefined => grant.kind === 'credential' ? grant.credential.username : undefined

describe('TurnGrants', () => {
  it('withholds TURN from a reservation younger than the hold, saying when to ask again', () => {
    const { grants, clock } = grantsAt()
    const reservedAt = clock.now
    expect(grants.grant('peer', reservedAt)).toEqual({ kind: 'withheld', reason: 'too-new', retryAfterSeconds: 5 })
    clock.now += 3_500
    expect(grants.grant('peer', reservedAt)).toEqual({ kind: 'withheld', reason: 'too-new', retryAfterSeconds: 2 })
    clock.now += 1_500
    const grant = grants.grant('peer', reservedAt)
    expect(grant).toMatchObject({ kind: 'credential', credential: { username: `${Math.floor(clock.now / 1000) + 3600}:peer`, expiresAt: Math.floor(clock.now / 1000) + 3600 } })
    expect(grant.kind === 'credential' && grant.credential.credential).toBe(turnPassword('s', username(grant)!))
  })

  it('gives one peer at most its hourly share of new credentials, then its last one again, while it is valid', () => {
    const { grants, clock } = grantsAt()
    const reservedAt = clock.now - MINUTE
    const issued: string[] = []
    for (let i = 0; i < 3; i++) {
      issued.push(username(grants.grant('peer', reservedAt))!)
      clock.now += 1_000
    }
    expect(new Set(issued).size).toBe(3)
    // The fourth ask within the hour: the third credential again, not a new one.
    expect(username(grants.grant('peer', reservedAt))).toBe(issued[2])
    expect(username(grants.grant('peer', reservedAt))).toBe(issued[2])
    // Another peer has its own share.
    expect(username(grants.grant('other', reservedAt))).toMatch(/:other$/)
    // An hour after the first, one new one is due.
    clock.now += 60 * MINUTE - 3_000
    const fourth = username(grants.grant('peer', reservedAt))
    expect(issued).not.toContain(fourth)
    expect(username(grants.grant('peer', reservedAt))).toBe(fourth)
  })

  it('says when to ask again once its share is spent and its last credential has expired', () => {
    const { grants, clock } = grantsAt({ ...RULES, ttlSeconds: 600, perHour: 1 })
    const reservedAt = clock.now - MINUTE
    const first = username(grants.grant('peer', reservedAt))
    expect(first).toBeDefined()
    clock.now += 10 * MINUTE
    expect(grants.grant('peer', reservedAt)).toEqual({ kind: 'withheld', reason: 'hourly-share', retryAfterSeconds: 50 * 60 })
    clock.now += 50 * MINUTE
    expect(username(grants.grant('peer', reservedAt))).not.toBe(first)
  })

  it('forgets peers once their last new credential is older than the hour and its life', () => {
    const { grants, clock } = grantsAt()
    for (let i = 0; i < 100; i++) grants.grant(`peer-${i}`, clock.now - MINUTE)
    expect(grants.size).toBe(100)
    clock.now += 60 * MINUTE + 1
    grants.grant('late', clock.now - MINUTE)
    expect(grants.size).toBe(1)
  })
})
