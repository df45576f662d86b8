import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type KeyValueStore, makeMemoryStorage } from '../profile/index.ts'
import { Reconnector, type ReconnectorOptions } from './reconnector.ts'

let storage: KeyValueStore
let dials: string[]
let connectedPeers: string[]
let gaveUp: string[]
let failWith: string | null

const limits = { baseMs: 500, capMs: 30_000, maxAttemptsPerMinute: 10, maxAttempts: Infinity, giveUpAfterPermanentErrors: 3 }

async function make (overrides: Partial<ReconnectorOptions> = {}): Promise<Reconnector> {
  return await Reconnector.load({
    storage,
    limits: () => limits,
    connect: async (peerId) => {
      dials.push(peerId)
      if (failWith != null) throw Object.assign(new Error('no'), { name: failWith })
    },
    onConnected: (peerId) => { connectedPeers.push(peerId) },
    onGaveUp: async (peerId) => { gaveUp.push(peerId) },
    changed: () => {},
    log: () => {},
    random: () => 1,
    ...overrides
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  storage = makeMemoryStorage()
  dials = []
  connectedPeers = []
  gaveUp = []
  failWith = null
})
afterEach(() => { vi.useRealTimers() })

describe('Reconnector', () => {
  it('dials a wanted peer at once, and once only while that dial runs', async () => {
    const r = await make()
    r.want('P')
    r.want('P')
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toEqual(['P'])
    expect(connectedPeers).toEqual(['P'])
  })

  it('dials again when the stream a dial opened was lost before the dial answered', async () => {
    let answer!: () => void
    const r = await make({ connect: async (peerId) => { dials.push(peerId); await new Promise<void>((resolve) => { answer = resolve }) } })
    r.want('P')
    await vi.advanceTimersByTimeAsync(0)
    // The new stream is reset while the dial's answer is on its way; then the dial answers.
    r.lost('P')
    answer()
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toEqual(['P', 'P'])
    answer()
    await vi.advanceTimersByTimeAsync(0)
    // A stream lost with no dial running is dialed once.
    r.lost('P')
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toEqual(['P', 'P', 'P'])
    answer()
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toHaveLength(3)
  })

  it('backs off after failures, and persists the backoff across a restart', async () => {
    failWith = 'StreamResetError'
    const r = await make()
    r.want('P')
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toHaveLength(1)
    // random() = 1: the next attempt waits the full 500 ms, then 1,000 ms.
    await vi.advanceTimersByTimeAsync(499)
    expect(dials).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(dials).toHaveLength(2)
    expect(r.view('P').nextAttemptAt).toBe(Date.now() + 1_000)
    r.stop()
    const restarted = await make()
    restarted.want('P')
    await vi.advanceTimersByTimeAsync(999)
    expect(dials).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dials).toHaveLength(3)
    restarted.stop()
  })

  it('dials a peer that was waiting for a dial when the worker stopped, at the time it was due, without being asked', async () => {
    failWith = 'StreamResetError'
    const r = await make()
    r.want('P')
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toHaveLength(1)
    r.stop()
    // The worker stops; nobody calls want() after the restart.
    failWith = null
    const restarted = await make()
    expect(restarted.view('P').nextAttemptAt).toBe(Date.now() + 500)
    await vi.advanceTimersByTimeAsync(500)
    expect(dials).toHaveLength(2)
    expect(connectedPeers).toEqual(['P'])
    restarted.stop()
    // Connected: nothing is due any more after the next restart.
    const again = await make()
    expect(again.view('P').nextAttemptAt).toBeNull()
    again.stop()
  })

  it('gives up after a run of identical permanent errors and tells the outbox', async () => {
    failWith = 'InvalidPeerIdError'
    const r = await make()
    r.want('P')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dials).toHaveLength(3)
    expect(gaveUp).toEqual(['P'])
    expect(r.view('P').gaveUp).toBe(true)
    r.want('P')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dials).toHaveLength(3)
  })

  it('never dials a closed peer, across restarts, until reopened', async () => {
    const r = await make()
    await r.close('P', 'local')
    r.want('P')
    await vi.advanceTimersByTimeAsync(60_000)
    const restarted = await make()
    restarted.want('P')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dials).toEqual([])
    await restarted.reopen('P')
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toEqual(['P'])
  })

  it('a peer that closed and then came back (its HELLO) is open again', async () => {
    const r = await make()
    await r.close('P', 'remote')
    await r.connected('P')
    expect(r.view('P').closedBy).toBeNull()
    await r.close('Q', 'local')
    await r.connected('Q')
    expect(r.view('Q').closedBy).toBe('local')
  })

  it('on wake, a peer waiting out a long backoff is dialed at once', async () => {
    failWith = 'Error'
    const r = await make()
    r.want('P')
    await vi.advanceTimersByTimeAsync(10_000)
    const before = dials.length
    failWith = null
    await r.wokeAll()
    await vi.advanceTimersByTimeAsync(0)
    expect(dials.length).toBe(before + 1)
    expect(connectedPeers).toEqual(['P'])
  })
})
