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
})
