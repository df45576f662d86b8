import { describe, expect, it } from 'vitest'
import { attempted, failed, freshReconnection, nextAttempt, succeeded, woke, type ReconnectionLimits } from './reconnection-policy.ts'

const limits: ReconnectionLimits = { baseMs: 500, capMs: 30_000, maxAttemptsPerMinute: 10, maxAttempts: Infinity, giveUpAfterPermanentErrors: 5 }
const delayOf = (d: ReturnType<typeof nextAttempt>): number => d.action === 'wait' ? d.delayMs : -1

describe('reconnection policy', () => {
  it('tries at once, then backs off with full jitter within min(cap, base * 2^n)', () => {
    let state = freshReconnection()
    expect(delayOf(nextAttempt(state, limits, 0, () => 0.99))).toBe(0)
    for (let n = 0; n < 12; n++) {
      state = failed(state, 'StreamResetError', limits)
      const ceiling = Math.min(30_000, 500 * 2 ** n)
      expect(delayOf(nextAttempt(state, limits, 0, () => 0.999))).toBeLessThanOrEqual(ceiling)
      expect(delayOf(nextAttempt(state, limits, 0, () => 0))).toBe(0)
    }
    expect(state.gaveUp).toBe(false)
  })

  it('holds attempts to 10 in any minute', () => {
    let state = freshReconnection()
    for (let i = 0; i < 10; i++) state = attempted(state, 1_000 + i)
    // An 11th attempt must wait until the first leaves the 60 s window.
    expect(delayOf(nextAttempt(state, limits, 2_000, () => 0))).toBe(59_000)
    expect(delayOf(nextAttempt(state, limits, 61_001, () => 0))).toBe(0)
    // Old attempts are forgotten.
    expect(attempted(state, 200_000).recentAttempts).toEqual([200_000])
  })

  it('gives up after a run of identical permanent errors, not after transient ones', () => {
    let state = freshReconnection()
    for (let i = 0; i < 20; i++) state = failed(state, 'StreamResetError', limits)
    // libp2p wraps every failed handshake in it, a reset or our own timeout included.
    for (let i = 0; i < 20; i++) state = failed(state, 'EncryptionFailedError', limits)
    expect(state.gaveUp).toBe(false)
    for (let i = 0; i < 4; i++) state = failed(state, 'UnsupportedProtocolError', limits)
    state = failed(state, 'InvalidPeerIdError', limits)
    expect(state.gaveUp).toBe(false)
    for (let i = 0; i < 4; i++) state = failed(state, 'InvalidPeerIdError', limits)
    expect(state.gaveUp).toBe(true)
    expect(nextAttempt(state, limits, 0)).toEqual({ action: 'stop', why: 'given-up' })
  })

  it('gives up after the optional maximum of attempts', () => {
    let state = freshReconnection()
    const three = { ...limits, maxAttempts: 3 }
    for (let i = 0; i < 3; i++) state = failed(state, 'Error', three)
    expect(state.gaveUp).toBe(true)
  })

  it('never tries a peer closed on purpose; a wake resets backoff but not that', () => {
    const closed = { ...freshReconnection(), closedBy: 'remote' as const, attempt: 7 }
    expect(nextAttempt(closed, limits, 0)).toEqual({ action: 'stop', why: 'closed' })
    const awake = woke(closed)
    expect(awake.attempt).toBe(0)
    expect(nextAttempt(awake, limits, 0)).toEqual({ action: 'stop', why: 'closed' })
  })

  it('starts over after a success', () => {
    let state = freshReconnection()
    for (let i = 0; i < 5; i++) state = failed(state, 'Error', limits)
    state = succeeded(state)
    expect(state.attempt).toBe(0)
    expect(delayOf(nextAttempt(state, limits, 0))).toBe(0)
  })
})
