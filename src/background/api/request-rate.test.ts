import { describe, expect, it } from 'vitest'
import { ResourceLimitError } from '../../common/errors/index.ts'
import { makeRequestRate } from './request-rate.ts'

/** What `take` threw, or undefined if it took the request. */
function refusal (take: () => void): unknown {
  try {
    take()
    return undefined
  } catch (err) {
    return err
  }
}

describe('makeRequestRate', () => {
  it('refuses a client past its requests per second, alone, until the next second', () => {
    let now = 10_000
    const rate = makeRequestRate(3, () => now)
    for (let i = 0; i < 3; i++) expect(refusal(() => { rate.take('a') })).toBeUndefined()
    const fourth = refusal(() => { rate.take('a') })
    expect(fourth).toBeInstanceOf(ResourceLimitError)
    expect((fourth as ResourceLimitError).data).toEqual({ limitType: 'client-requests-per-second', limit: 3, current: 4 })
    // Each refused request counts too: a client that keeps asking is told how many it made.
    expect((refusal(() => { rate.take('a') }) as ResourceLimitError).data.current).toBe(5)
    // Another client is served meanwhile.
    expect(refusal(() => { rate.take('b') })).toBeUndefined()
    now += 1000
    expect(refusal(() => { rate.take('a') })).toBeUndefined()
  })
})
