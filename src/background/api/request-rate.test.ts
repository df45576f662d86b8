import { describe, expect, it } from 'vitest'
import { ResourceLimitError } from '../../common/errors/index.ts'
import { makeRequestRate } from './request-rate.ts'

describe('makeRequestRate', () => {
  it('refuses a client past its requests per second, alone, until the next second', () => {
    let now = 10_000
    const rate = makeRequestRate(3, () => now)
    for (let i = 0; i < 3; i++) rate.take('a')
    expect(() => { rate.take('a') }).toThrow(ResourceLimitError)
    try {
      rate.take('a')
    } catch (err) {
      expect((err as ResourceLimitError).data).toEqual({ limitType: 'client-requests-per-second', limit: 3, current: 5 })
    }
    rate.take('b')
    now += 1000
    rate.take('a')
  })
})
