import type { Connection, Stream } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Opened } from './dial.ts'
import { retryDelayMs, WebRTCUpgrade, type WebRTCUpgradeOptions } from './webrtc-upgrade.ts'

const direct: Opened = { connection: {} as Connection, stream: {} as Stream }

describe('retryDelayMs', () => {
  it('doubles from the base up to the cap, between half and all of it', () => {
    expect(retryDelayMs(0, 2_000, 300_000, () => 0.5)).toBe(0)
    expect(retryDelayMs(1, 2_000, 300_000, () => 0)).toBe(1_000)
    expect(retryDelayMs(1, 2_000, 300_000, () => 0.999)).toBeLessThan(2_000)
    expect(retryDelayMs(3, 2_000, 300_000, () => 0)).toBe(4_000)
    expect(retryDelayMs(50, 2_000, 300_000, () => 0)).toBe(150_000)
  })
})

describe('WebRTCUpgrade', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  function make (dial: WebRTCUpgradeOptions['dial'], relayed = { value: true }) {
    const upgraded = vi.fn()
    const upgrade = new WebRTCUpgrade({ dial, isRelayed: () => relayed.value, upgraded, baseMs: 2_000, capMs: 300_000, random: () => 0, log: () => {} })
    return { upgrade, upgraded }
  }

  it('runs one try at a time, and backs off after a failure', async () => {
    let fail = true
    const dial = vi.fn(async () => { if (fail) throw new Error('ICE failed'); return direct })
    const { upgrade } = make(dial, { value: false })
    const first = upgrade.attempt('p', ['r'])
    // The try in flight is its caller's: a second caller gets none.
    expect(upgrade.attempt('p', ['r'])).toBeUndefined()
    await expect(first?.opened).rejects.toThrow('ICE failed')
    // Backing off: no new try for 1 s (half of the 2 s base).
    expect(upgrade.attempt('p', ['r'])).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1_000)
    fail = false
    const second = upgrade.attempt('p', ['r'])
    second?.take()
    await expect(second?.opened).resolves.toBe(direct)
    expect(dial).toHaveBeenCalledTimes(2)
  })

  it('hands over a stream its caller did not take, once; never one it took', async () => {
    const { upgrade, upgraded } = make(async () => direct, { value: false })
    const taken = upgrade.attempt('p', ['r'])!
    await taken.opened
    taken.take()
    await vi.advanceTimersByTimeAsync(0)
    expect(upgraded).not.toHaveBeenCalled()

    const left = upgrade.attempt('q', ['r'])!
    await left.opened
    await vi.advanceTimersByTimeAsync(0)
    expect(upgraded).toHaveBeenCalledExactlyOnceWith('q', direct)
  })

  it('while relayed, keeps trying with growing pauses, and hands over the stream that comes up', async () => {
    let failures = 2
    const dial = vi.fn(async () => { if (failures-- > 0) throw new Error('ICE failed'); return direct })
    const { upgrade, upgraded } = make(dial)
    upgrade.relayed('p')
    // Told again (the relay closed a connection at its limit, and the dial went through it again): one loop still.
    upgrade.relayed('p')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dial).toHaveBeenCalledTimes(1)
    // After the first failure the pause is 1 s, after the second 2 s.
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dial).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1_999)
    expect(dial).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dial).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(upgraded).toHaveBeenCalledExactlyOnceWith('p', direct)
  })

  it('waits for the dial\'s own try before trying again, and stops when the peer is no longer relayed', async () => {
    let finish!: (opened: Opened) => void
    const dial = vi.fn(async () => await new Promise<Opened>(resolve => { finish = resolve }))
    const relayed = { value: true }
    const { upgrade, upgraded } = make(dial, relayed)
    void upgrade.attempt('p', ['r'])
    upgrade.relayed('p')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dial).toHaveBeenCalledOnce()
    finish(direct)
    await vi.advanceTimersByTimeAsync(0)
    expect(upgraded).toHaveBeenCalledOnce()

    // The relayed stream ended (the worker dials again): the loop's next turn does nothing.
    const failing = vi.fn(async (): Promise<Opened> => { throw new Error('ICE failed') })
    const second = make(failing, relayed)
    second.upgrade.relayed('q')
    relayed.value = false
    await vi.advanceTimersByTimeAsync(600_000)
    expect(failing).not.toHaveBeenCalled()
  })
})
