import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { makeCoalescer } from './coalescer.ts'

describe('makeCoalescer', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('runs once per burst, delayMs after its first request', () => {
    const run = vi.fn()
    const request = makeCoalescer(run, 50)
    request(); request(); request()
    vi.advanceTimersByTime(49)
    expect(run).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('is not postponed forever by a steady stream of requests', () => {
    const run = vi.fn()
    const request = makeCoalescer(run, 50)
    for (let t = 0; t < 200; t += 10) { request(); vi.advanceTimersByTime(10) }
    expect(run).toHaveBeenCalledTimes(4)
  })

  it('drops a pending run on stop', () => {
    const run = vi.fn()
    const request = makeCoalescer(run, 50)
    request()
    request.stop()
    vi.advanceTimersByTime(100)
    expect(run).not.toHaveBeenCalled()
  })
})
