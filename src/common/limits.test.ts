import { describe, expect, it } from 'vitest'
import { ValidationError } from './errors/index.ts'
import { DEFAULT_LIMITS, mergeLimits } from './limits.ts'

describe('mergeLimits', () => {
  it('applies a partial change and keeps the rest', () => {
    expect(mergeLimits(DEFAULT_LIMITS, { maxConnections: 5 })).toEqual({ ...DEFAULT_LIMITS, maxConnections: 5 })
  })

  it('names the field that is out of range, unknown or of the wrong type', () => {
    const check = (change: unknown, field: string, reason: RegExp): void => {
      const err = (() => { try { mergeLimits(DEFAULT_LIMITS, change) } catch (e) { return e } })()
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).data.field).toBe(field)
      expect((err as ValidationError).data.reason).toMatch(reason)
    }
    check({ maxConnections: 0 }, 'maxConnections', /at least 1/)
    check({ maxMessageBytes: 10 * 1024 * 1024 }, 'maxMessageBytes', /at most/)
    check({ maxPendingMessagesPerPeer: 2.5 }, 'maxPendingMessagesPerPeer', /integer/i)
    check({ turbo: true }, 'turbo', /not a limit/)
  })
})
