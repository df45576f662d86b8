import { afterEach, describe, expect, it, vi } from 'vitest'
import { withNudge } from './nudge.ts'

afterEach(() => { vi.useRealTimers() })

describe('withNudge', () => {
  it('nudges a callee that does not answer at once, and only then', async () => {
    vi.useFakeTimers()
    const nudge = vi.fn()
    let answer: (value: string) => void = () => {}
    const slow = withNudge(async () => await new Promise<string>(resolve => { answer = resolve }), nudge, 25)
    await vi.advanceTimersByTimeAsync(24)
    expect(nudge).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(nudge).toHaveBeenCalledTimes(1)
    answer('late')
    expect(await slow).toBe('late')

    const quick = vi.fn()
    expect(await withNudge(async () => 'at once', quick, 25)).toBe('at once')
    await vi.advanceTimersByTimeAsync(100)
    expect(quick).not.toHaveBeenCalled()
  })

  it('passes a failure through, and nudges nobody after it', async () => {
    vi.useFakeTimers()
    const nudge = vi.fn()
    await expect(withNudge(async () => { throw new Error('refused') }, nudge, 25)).rejects.toThrow('refused')
    await vi.advanceTimersByTimeAsync(100)
    expect(nudge).not.toHaveBeenCalled()
  })
})
