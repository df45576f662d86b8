import type { Connection, Stream } from '@libp2p/interface'
import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FRAME_COST_BYTES, MAX_CONTROL_FRAMES_PER_SECOND, MIN_STREAM_INACTIVITY_TIMEOUT_MS } from '../../common/constants.ts'
import { ChannelClosedError } from '../../common/errors/index.ts'
import { decodeFrame, type Frame } from '../../common/wire/frames.ts'
import { FramedChannel, type CloseCause, type FramedChannelOptions } from './framed-channel.ts'
import { InboundBudget } from './inbound-budget.ts'

const ALICE = '12D3KooWAlice'
const BOB = '12D3KooWBob'

type MessageFrame = Extract<Frame, { type: 'message' }>

/** The libp2p connection a channel reads its peer from; the bytes go through a real stream pair. */
function connectionTo (peerId: string): Connection {
  return { remotePeer: { toString: () => peerId }, status: 'open', remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1'), direct: true } as unknown as Connection
}

/** A promise to settle by hand, for a worker call that answers only when the test says so. */
function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

/** What one end of a channel handed over, in order: message batches by sequence number, control frames by type. */
interface Receiver {
  events: string[]
  batches: number[][]
  closes: CloseCause[]
  rejects: string[]
  /** Worker calls for message batches wait on these, one per call, while any are queued. */
  holds: Array<ReturnType<typeof deferred>>
}

const open: FramedChannel[] = []

function makeChannel (stream: Stream, peerId: string, overrides: Partial<FramedChannelOptions> = {}): { channel: FramedChannel, receiver: Receiver } {
  const receiver: Receiver = { events: [], batches: [], closes: [], rejects: [], holds: [] }
  const channel = new FramedChannel(stream, connectionTo(peerId), {
    maxMessageBytes: 1024,
    writeTimeoutMs: 2_000,
    inactivityTimeoutMs: 120_000,
    budget: new InboundBudget(1024 * 1024),
    stuckMs: 60_000,
    onReject: (kind) => { receiver.rejects.push(kind) },
    onMessages: async (frames) => {
      receiver.batches.push(frames.map(f => f.seq))
      receiver.events.push(frames.map(f => `m${f.seq}`).join(','))
      await receiver.holds.shift()?.promise
    },
    onControl: async (frame) => { receiver.events.push(frame.type) },
    onClose: (cause) => { receiver.closes.push(cause) },
    ...overrides
  })
  open.push(channel)
  return { channel, receiver }
}

/** Alice's and Bob's channels on the two ends of one in-memory stream. */
async function channelPair (bobOptions: Partial<FramedChannelOptions> = {}, aliceOptions: Partial<FramedChannelOptions> = {}) {
  const [outbound, inbound] = await streamPair()
  const alice = makeChannel(outbound, BOB, aliceOptions)
  const bob = makeChannel(inbound, ALICE, bobOptions)
  return { alice: alice.channel, bob: bob.channel, atBob: bob.receiver, atAlice: alice.receiver, aliceStream: outbound, bobStream: inbound }
}

const message = (seq: number, bytes = 10): MessageFrame => ({ type: 'message', seq, id: `m${seq}`, body: new Uint8Array(bytes).fill(seq), channel: 'peerlink', kind: 'text' })

afterEach(() => {
  for (const channel of open.splice(0)) channel.abort(new Error('test over'))
  vi.useRealTimers()
})

describe('FramedChannel', () => {
  it('hands consecutive message frames over as one batch, in order, with control frames between batches', async () => {
    const budget = new InboundBudget(1024 * 1024)
    const { alice, atBob } = await channelPair({ budget })
    const held = deferred()
    atBob.holds.push(held)
    await alice.write(message(1))
    // The worker is still busy with 1 while the rest arrives.
    await vi.waitFor(() => { expect(atBob.batches).toEqual([[1]]) })
    for (const frame of [message(2), message(3), message(4), { type: 'ping' } as const, message(5)]) await alice.write(frame)
    // Every frame held counts, control frames too: five messages of 10 bytes and a ping.
    await vi.waitFor(() => { expect(budget.used).toBe(5 * (10 + FRAME_COST_BYTES) + FRAME_COST_BYTES) })
    held.resolve()
    await vi.waitFor(() => { expect(atBob.events).toEqual(['m1', 'm2,m3,m4', 'ping', 'm5']) })
    await vi.waitFor(() => { expect(budget.used).toBe(0) })
  })

  it('pauses every channel over the shared inbound budget, and resumes them at half of it', async () => {
    // Room for two and a half 100-byte messages: three go over it; the channels resume at half.
    const frameCost = 100 + FRAME_COST_BYTES
    const budget = new InboundBudget(Math.floor(2.5 * frameCost))
    const first = await channelPair({ budget })
    const second = await channelPair({ budget })
    const [one, two] = [deferred(), deferred()]
    first.atBob.holds.push(one, two)
    await first.alice.write(message(1, 100))
    await vi.waitFor(() => { expect(first.atBob.batches).toEqual([[1]]) })
    await first.alice.write(message(2, 100))
    await first.alice.write(message(3, 100))
    await vi.waitFor(() => { expect(budget.pressured).toBe(true) })
    expect(first.bobStream.readStatus).toBe('paused')
    expect(second.bobStream.readStatus).toBe('paused')
    // A channel opened under pressure starts paused.
    const third = await channelPair({ budget })
    expect(third.bobStream.readStatus).toBe('paused')

    // Nothing reaches the worker from a paused stream.
    await second.alice.write(message(7, 10))
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(second.atBob.batches).toEqual([])

    // 1 handled: two messages held is under the limit but over half of it, so still paused.
    one.resolve()
    await vi.waitFor(() => { expect(first.atBob.batches).toEqual([[1], [2, 3]]) })
    expect(budget.used).toBe(2 * frameCost)
    expect(first.bobStream.readStatus).toBe('paused')
    two.resolve()
    await vi.waitFor(() => { expect(second.atBob.batches).toEqual([[7]]) })
    expect(budget.pressured).toBe(false)
    expect(first.bobStream.readStatus).toBe('readable')
    expect(third.bobStream.readStatus).toBe('readable')
  })

  it('waits for drain when the stream is full, and every frame arrives once, in order', async () => {
    const { alice, atBob, aliceStream } = await channelPair()
    const send = vi.spyOn(aliceStream, 'send')
    await Promise.all(Array.from({ length: 200 }, async (_, seq) => { await alice.write(message(seq, 200)) }))
    await vi.waitFor(() => { expect(atBob.batches.flat()).toHaveLength(200) })
    expect(atBob.batches.flat()).toEqual([...Array(200).keys()])
    expect(send.mock.results.some(r => r.value === false)).toBe(true)
  })

  it('refuses a write once the stream is closed', async () => {
    const { alice, atAlice, bob } = await channelPair()
    bob.abort(new Error('bye'))
    await vi.waitFor(() => { expect(atAlice.closes).toEqual([{ local: false, error: 'StreamResetError', detail: expect.any(String) }]) })
    const err = await alice.write(message(1)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChannelClosedError)
    expect((err as ChannelClosedError).data.reason).toBe('not-open')
  })

  it('ends at once a stream that was reset before the channel took it', async () => {
    const [aliceStream, bobStream] = await streamPair()
    bobStream.abort(new Error('gone'))
    await vi.waitFor(() => { expect(aliceStream.status).toBe('reset') })
    let adopted = false
    const { channel, receiver } = makeChannel(aliceStream, BOB, { onClose: (cause) => { expect(adopted).toBe(true); receiver.closes.push(cause) } })
    adopted = true
    await vi.waitFor(() => { expect(receiver.closes).toEqual([{ local: false, error: 'ChannelClosedError', detail: `stream to ${BOB} was reset before it was taken` }]) })
    expect(channel.open).toBe(false)
  })

  it('resets the stream on a malformed frame, and says which kind', async () => {
    const { aliceStream, atBob, atAlice } = await channelPair()
    // A length prefix of 2, then field 1 (the frame type) with a value no version has.
    aliceStream.send(Uint8Array.of(2, 8, 99))
    await vi.waitFor(() => { expect(atBob.closes).toHaveLength(1) })
    expect(atBob.rejects).toEqual(['malformed'])
    expect(atBob.closes[0]).toEqual({ local: true, error: 'MalformedFrameError', detail: 'undecodable frame: Invalid enum value' })
    await vi.waitFor(() => { expect(atAlice.closes[0]?.error).toBe('StreamResetError') })
  })

  it('resets the stream on a frame larger than the limit, before it has all arrived', async () => {
    const { aliceStream, atBob } = await channelPair()
    // Only the length prefix of a 4 KiB frame: the limit is 1 KiB plus the header.
    aliceStream.send(varint.encode(4096))
    await vi.waitFor(() => { expect(atBob.closes).toHaveLength(1) })
    expect(atBob.rejects).toEqual(['oversize'])
    expect(atBob.closes[0]?.error).toBe('MalformedFrameError')
    expect(atBob.closes[0]?.detail).toMatch(/^frame too large/)
  })

  it('resets a stream whose written bytes have not drained for the stuck time', async () => {
    const { alice, atAlice } = await channelPair({}, { stuckMs: 1_000 })
    const now = Date.now()
    expect(alice.resetIfStuck(now)).toBe(false)
    // Written in one go, so nothing can drain before the check.
    const writes = Array.from({ length: 50 }, async (_, seq) => { await alice.write(message(seq, 500)) })
    expect(alice.bufferedBytes).toBeGreaterThan(0)
    expect(alice.resetIfStuck(now + 1_000)).toBe(false)
    expect(alice.resetIfStuck(now + 1_001)).toBe(true)
    expect(atAlice.closes).toEqual([{ local: true, error: 'StuckStreamError', detail: expect.stringMatching(/did not drain for 1001 ms$/) }])
    // The writes that waited for a drain fail at once, saying the stream closed under them; none is left hanging.
    const rejected = (await Promise.allSettled(writes)).filter(r => r.status === 'rejected').map(r => r.reason as unknown)
    expect(rejected.length).toBeGreaterThan(0)
    for (const err of rejected) {
      expect(err).toBeInstanceOf(ChannelClosedError)
      expect((err as ChannelClosedError).data.reason).toBe('closed-while-writing')
    }
  })

  it('ends a silent stream with InactivityTimeoutError, while PINGs keep a quiet one alive', async () => {
    // Fake clocks: the keepalive's checks (every third of the timeout) and the silence are counted, not waited for.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    const quiet = await channelPair({ inactivityTimeoutMs: 300 }, { inactivityTimeoutMs: 300 })
    const [silentPeer, listening] = await streamPair()
    const { receiver: atListener } = makeChannel(listening, ALICE, { inactivityTimeoutMs: 300 })
    // Checked at 100, 200 and 300 ms: silent for 300 ms is not yet over the timeout.
    await vi.advanceTimersByTimeAsync(300)
    expect(atListener.closes).toEqual([])
    await vi.advanceTimersByTimeAsync(100)
    expect(atListener.closes).toEqual([{ local: true, error: 'InactivityTimeoutError', detail: 'nothing from 12D3KooWAlice for 400 ms' }])
    await vi.waitFor(() => { expect(silentPeer.status).not.toBe('open') })
    // Ten times the timeout with nothing to say: the PINGs kept the pair open.
    await vi.advanceTimersByTimeAsync(2_600)
    expect(quiet.alice.open && quiet.bob.open).toBe(true)
    expect(quiet.atAlice.closes).toEqual([])
    expect(quiet.atBob.events.filter(e => e === 'ping').length).toBeGreaterThanOrEqual(9)
  })

  it('keeps PINGs to a third of the smallest timeout the options allow, whatever a peer\'s HELLO asks for', async () => {
    vi.useFakeTimers()
    try {
      // The frames the channel writes, as the peer would read them.
      const written: Frame[] = []
      const stream = {
        status: 'open', readStatus: 'readable', writeStatus: 'writable', writeBufferLength: 0, direction: 'inbound',
        addEventListener: () => {},
        pause: () => {},
        resume: () => {},
        abort: () => {},
        send: (bytes: Uint8Array) => {
          const length = varint.decode(bytes)
          written.push(decodeFrame(bytes.subarray(varint.encodingLength(length))))
          return true
        }
      } as unknown as Stream
      const { channel } = makeChannel(stream, ALICE, { inactivityTimeoutMs: 120_000 })
      // A HELLO that asks for a 1 ms timeout would have us PING every few milliseconds.
      channel.peerInactivityTimeout(1)
      // Just past the smallest timeout: a PING at each third of it.
      await vi.advanceTimersByTimeAsync(MIN_STREAM_INACTIVITY_TIMEOUT_MS + 500)
      expect(written.filter(f => f.type === 'ping').length).toBe(3)
      // A peer's longer timeout than ours leaves ours in charge.
      channel.peerInactivityTimeout(600_000)
      written.length = 0
      await vi.advanceTimersByTimeAsync(120_000 / 3 + 500)
      expect(written.filter(f => f.type === 'ping').length).toBe(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('resets a stream whose peer floods it with control frames, and says so', async () => {
    const { aliceStream, atBob, atAlice } = await channelPair()
    const ack = varintFramed(Uint8Array.of(8, 1, 16, 1))
    // Three seconds' worth at once: the bucket refills while they are read, but not that fast.
    const count = 3 * MAX_CONTROL_FRAMES_PER_SECOND
    const flood = new Uint8Array(ack.byteLength * count)
    for (let i = 0; i < count; i++) flood.set(ack, i * ack.byteLength)
    aliceStream.send(flood)
    await vi.waitFor(() => { expect(atBob.closes).toHaveLength(1) })
    expect(atBob.rejects).toEqual(['flood'])
    expect(atBob.closes[0]).toMatchObject({ local: true, error: 'ControlFloodError' })
    await vi.waitFor(() => { expect(atAlice.closes[0]?.error).toBe('StreamResetError') })
  })
})

/** A frame body behind its length prefix. */
function varintFramed (body: Uint8Array): Uint8Array {
  const prefix = varint.encode(body.byteLength)
  return new Uint8Array([...prefix, ...body])
}
