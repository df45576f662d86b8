import type { Connection, Stream } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Opened } from './dial.ts'
import { reachPeer } from './reach.ts'

function opened (name: string): Opened & { stream: { abort: ReturnType<typeof vi.fn> } } {
  return { connection: { name } as unknown as Connection, stream: { abort: vi.fn() } as unknown as Stream & { abort: ReturnType<typeof vi.fn> } }
}

/** A promise settled by hand. */
function manual<T> (): { promise: Promise<T>, resolve: (value: T) => void, reject: (err: Error) => void } {
  let resolve!: (value: T) => void
  let reject!: (err: Error) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('reachPeer', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  const budget = (): AbortSignal => new AbortController().signal

  it('takes WebRTC when it comes up within its head start, and never dials the relay', async () => {
    const webrtc = opened('webrtc')
    const relayed = vi.fn()
    const reached = reachPeer({ webrtc: Promise.resolve(webrtc), relayed, headStartMs: 1_500, signal: budget() })
    await expect(reached).resolves.toEqual({ opened: webrtc, via: 'webrtc' })
    expect(relayed).not.toHaveBeenCalled()
  })

  it('goes through the relay when WebRTC is slow, and leaves the WebRTC try running', async () => {
    const webrtc = manual<Opened>()
    const relayedStream = opened('relayed')
    const relayed = vi.fn(async () => relayedStream)
    const reached = reachPeer({ webrtc: webrtc.promise, relayed, headStartMs: 1_500, signal: budget() })
    await vi.advanceTimersByTimeAsync(1_499)
    expect(relayed).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    await expect(reached).resolves.toEqual({ opened: relayedStream, via: 'relayed' })
  })

  it('goes through the relay at once when WebRTC fails, or is backing off', async () => {
    const relayedStream = opened('relayed')
    await expect(reachPeer({ webrtc: Promise.reject(new Error('ICE failed')), relayed: async () => relayedStream, headStartMs: 1_500, signal: budget() }))
      .resolves.toEqual({ opened: relayedStream, via: 'relayed' })
    await expect(reachPeer({ webrtc: undefined, relayed: async () => relayedStream, headStartMs: 1_500, signal: budget() }))
      .resolves.toEqual({ opened: relayedStream, via: 'relayed' })
  })

  it('takes WebRTC when it wins against a relayed dial under way, and drops the relayed stream that opens after', async () => {
    const webrtc = manual<Opened>()
    const relayedDial = manual<Opened>()
    let relayedSignal: AbortSignal | undefined
    const reached = reachPeer({ webrtc: webrtc.promise, relayed: async (signal) => { relayedSignal = signal; return await relayedDial.promise }, headStartMs: 1_500, signal: budget() })
    await vi.advanceTimersByTimeAsync(1_500)
    const direct = opened('webrtc')
    webrtc.resolve(direct)
    await expect(reached).resolves.toEqual({ opened: direct, via: 'webrtc' })
    expect(relayedSignal?.aborted).toBe(true)
    const late = opened('relayed')
    relayedDial.resolve(late)
    await vi.advanceTimersByTimeAsync(0)
    expect(late.stream.abort).toHaveBeenCalledOnce()
  })

  it('waits for WebRTC when the relay fails, and rejects with the relay\'s error when both fail', async () => {
    const webrtc = manual<Opened>()
    const reached = reachPeer({ webrtc: webrtc.promise, relayed: async () => { throw new Error('NO_RESERVATION') }, headStartMs: 10, signal: budget() })
    await vi.advanceTimersByTimeAsync(10)
    const direct = opened('webrtc')
    webrtc.resolve(direct)
    await expect(reached).resolves.toEqual({ opened: direct, via: 'webrtc' })

    const failing = reachPeer({ webrtc: Promise.reject(new Error('ICE failed')), relayed: async () => { throw new Error('NO_RESERVATION') }, headStartMs: 10, signal: budget() })
    await expect(failing).rejects.toThrow('NO_RESERVATION')
  })

  it('gives up when the dial\'s budget runs out', async () => {
    const controller = new AbortController()
    const reached = reachPeer({ webrtc: new Promise<Opened>(() => {}), relayed: async () => await new Promise<Opened>(() => {}), headStartMs: 10, signal: controller.signal })
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(new Error('budget spent'))
    await expect(reached).rejects.toThrow('budget spent')
  })
})
