import { afterEach, describe, expect, it, vi } from 'vitest'
import { WakeDetector } from './wake-detector.ts'

afterEach(() => { vi.useRealTimers() })

describe('WakeDetector', () => {
  it('sees regular ticks as awake and a late one as a wake', () => {
    const detector = new WakeDetector(15_000, 30_000)
    expect(detector.tick(0)).toBe(false)
    expect(detector.tick(15_000)).toBe(false)
    // Exactly tick + late after the last one is still awake; a millisecond more is a wake.
    expect(detector.tick(15_000 + 45_000)).toBe(false)
    expect(detector.tick(60_000 + 45_001)).toBe(true)
    expect(detector.tick(105_001 + 15_000)).toBe(false)
  })

  it('notices a sleep across a restart from the persisted last tick', () => {
    const before = new WakeDetector(15_000, 30_000)
    before.tick(1_000)
    const persisted = before.last
    const after = new WakeDetector(15_000, 30_000, persisted)
    expect(after.tick(1_000 + 60 * 60_000)).toBe(true)
  })

  it('detects a clock jump with a real interval under fake timers', () => {
    vi.useFakeTimers()
    const detector = new WakeDetector(15_000, 30_000)
    const wakes: number[] = []
    const timer = setInterval(() => { if (detector.tick(Date.now())) wakes.push(Date.now()) }, 15_000)
    vi.advanceTimersByTime(60_000)
    expect(wakes).toEqual([])
    // The system sleeps for ten minutes: the clock jumps, the timer fires late.
    vi.setSystemTime(Date.now() + 10 * 60_000)
    vi.advanceTimersByTime(15_000)
    expect(wakes).toHaveLength(1)
    clearInterval(timer)
  })
})
