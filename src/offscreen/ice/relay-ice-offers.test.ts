import { describe, expect, it } from 'vitest'
import { offerRefreshDelayMs } from './relay-ice-offers.ts'

describe('offerRefreshDelayMs', () => {
  it('asks again well before an offer expires', () => {
    expect(offerRefreshDelayMs(3_600_000)).toBe(3_300_000)
    expect(offerRefreshDelayMs(600_000)).toBe(480_000)
  })

  it('never sooner than half a minute, however short the offer', () => {
    expect(offerRefreshDelayMs(60_000)).toBe(48_000)
    expect(offerRefreshDelayMs(10_000)).toBe(30_000)
    expect(offerRefreshDelayMs(0)).toBe(30_000)
  })

  it('asks again when the relay says TURN is due, never sooner than two seconds, never later than the refresh', () => {
    expect(offerRefreshDelayMs(3_600_000, 4_000)).toBe(4_000)
    expect(offerRefreshDelayMs(3_600_000, 1_000)).toBe(2_000)
    expect(offerRefreshDelayMs(3_600_000, 3_600_000)).toBe(3_300_000)
    expect(offerRefreshDelayMs(3_600_000, 0)).toBe(3_300_000)
  })
})
