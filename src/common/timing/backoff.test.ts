import { describe, expect, it } from 'vitest'
import { fullJitterDelay } from './backoff.ts'

describe('fullJitterDelay', () => {
  it('stays within [0, min(cap, base * 2^attempt)]', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt)
      expect(fullJitterDelay(attempt, 500, 30_000, () => 0)).toBe(0)
      expect(fullJitterDelay(attempt, 500, 30_000, () => 0.999999)).toBeLessThanOrEqual(ceiling)
      expect(fullJitterDelay(attempt, 500, 30_000, () => 0.999999)).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.99))
    }
  })

  it('never exceeds the cap, even for huge attempt counts', () => {
    expect(fullJitterDelay(10_000, 500, 30_000, () => 0.999999)).toBeLessThan(30_000)
  })
})
