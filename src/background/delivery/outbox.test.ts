import 'fake-indexeddb/auto'
import { MAIL_KEPT_MS } from '../../common/constants.ts'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MessageView } from '../../api/protocol.ts'
import { ValidationError, type ResourceLimitError } from '../../common/errors/index.ts'
import type { Hello } from '../../common/wire/frames.ts'
import { MessageStore } from './message-store.ts'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import { parsePayload } from '../../common/wire/payload.ts'
import { Outbox, type OutboxOptions, type OutgoingFrame, type OutgoingMessage } from './outbox.ts'

let store: MessageStore
let dbCount = 0
let clock = 1_000_000
let sent: Array<{ peerId: string, seqs: number[], skips?: Array<[number, number]> }>
let announced: MessageView[]
let failNext: number
let needed: string[]
let box: Outbox

/** A HELLO from the peer: `acked` says it has our messages up to there, in our current incarnation. */
const hello = async (acked: number | null, maxMessageBytes = 1024): Promise<Hello> => {
  const ours = await store.ourHello('P')
  return {
    incarnation: 'ab'.repeat(16),
    peerIncarnation: acked == null ? null : ours.incarnation,
    nextExpectedSeq: (acked ?? -1) + 1,
    firstSeq: 0,
    maxMessageBytes,
    inactivityTimeoutMs: 120_000,
    addresses: []
  }
}

/** A text message on Peerlink's own channel, checked as the API checks it. */
const text = (value: string): OutgoingMessage => ({ ...parsePayload({ text: value }, '', 1024), channel: OWN_CHANNEL })
/** Sends as a page does. */
const send = async ({ peerId, text: value, id, ttlMs }: { peerId: string, text: string, id?: string, ttlMs?: number }): Promise<MessageView> =>
  await box.send(peerId, id == null ? text(value) : { ...text(value), id }, ttlMs)

const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve)) }

async function makeOutbox (overrides: Partial<OutboxOptions> = {}): Promise<Outbox> {
  store = await MessageStore.open(`outbox-test-${dbCount++}`)
  box = new Outbox({
    store,
    transmit: async (peerId: string, frames: OutgoingFrame[]) => {
      if (failNext > 0) { failNext--; throw new Error('peer unreachable') }
      const skips = frames.filter(f => f.skipFrom != null).map(f => [f.skipFrom!, f.seq - 1] as [number, number])
      sent.push(skips.length === 0 ? { peerId, seqs: frames.map(f => f.seq) } : { peerId, seqs: frames.map(f => f.seq), skips })
    },
    announce: (m) => { announced.push(m) },
    needConnection: (peerId) => { needed.push(peerId) },
    limits: () => ({ maxPendingMessages: 200, maxPendingBytes: 1_000_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 1_000_000, maxMessageBytes: 1024 }),
    settings: () => ({ ttlMs: 60_000, ackTimeoutMs: 10_000, maxInFlightBytes: 1_000_000, historyPerPeer: 1_000 }),
    log: () => {},
    now: () => clock,
    ...overrides
  })
  return box
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  sent = []
  announced = []
  failNext = 0
  needed = []
})
afterEach(async () => {
  await settle()
  store.close()
  vi.useRealTimers()
})

/** States as pages see them: stored, with 'sent' laid over by the outbox. */
const listed = async (peerId: string): Promise<MessageView[]> => {
  const { found, ackedOutSeq } = await store.history.list(peerId, 100)
  return found.map(m => box.view(m, ackedOutSeq))
}
const stateOf = async (peerId: string): Promise<string[]> => (await listed(peerId)).map(m => `${m.seq}:${m.state}`)

describe('Outbox', () => {
  it('stores, transmits and, on a cumulative ack, delivers with exact accounting', async () => {
    const outbox = await makeOutbox()
    for (const text of ['a', 'bb', 'ccc']) await send({ peerId: 'P', text })
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1, 2])
    expect(await stateOf('P')).toEqual(['0:sent', '1:sent', '2:sent'])
    expect((await store.pendingByPeer()).get('P')).toEqual({ messages: 3, bytes: 6 })
    await outbox.onAck('P', 1)
    expect(await stateOf('P')).toEqual(['0:delivered', '1:delivered', '2:sent'])
    expect((await store.pendingByPeer()).get('P')).toEqual({ messages: 1, bytes: 3 })
    await outbox.onAck('P', 2)
    expect((await store.pendingByPeer()).has('P')).toBe(false)
    expect(announced.filter(m => m.state === 'delivered').map(m => m.seq)).toEqual([0, 1, 2])
    outbox.stop()
  })

  it('sends freshly appended messages without reading them back, and reads the outbox to resend', async () => {
    const outbox = await makeOutbox()
    const reads = vi.spyOn(store, 'pending')
    // A new worker reads the outbox once: it may hold what an earlier one queued.
    await send({ peerId: 'P', text: 'a' })
    await settle()
    reads.mockClear()
    for (const text of ['b', 'c']) await send({ peerId: 'P', text })
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1, 2])
    expect(reads).not.toHaveBeenCalled()
    sent = []
    outbox.onStreamLost('P')
    await send({ peerId: 'P', text: 'd' })
    await settle()
    // A new stream: everything unacknowledged goes again, in order, from the outbox.
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1, 2, 3])
    expect(reads).toHaveBeenCalled()
    outbox.stop()
  })

  it('after a lost stream, the next message goes out alone: no SKIP over what the peer acknowledged, no walk over it', async () => {
    const outbox = await makeOutbox()
    for (const text of ['a', 'b', 'c']) await send({ peerId: 'P', text })
    await settle()
    await outbox.onAck('P', 2)
    // The stream is reset: nothing is unacknowledged, and the outbox is read to find that out.
    outbox.onStreamLost('P')
    await settle()
    sent = []
    const marked = vi.spyOn(store, 'markSkipped')
    await send({ peerId: 'P', text: 'after the reset' })
    await settle()
    // A SKIP from 0 would have the store walk every acknowledged message (12,000 took a second) before the send.
    expect(sent).toEqual([{ peerId: 'P', seqs: [3] }])
    expect(marked).not.toHaveBeenCalled()
    outbox.stop()
  })

  it('never skips a pending message when the stream is lost while the outbox is being read', async () => {
    const outbox = await makeOutbox()
    const read = store.pending.bind(store)
    let release: () => void = () => {}
    const held = new Promise<void>(resolve => { release = resolve })
    let reads = 0
    // The second read (the one that finds nothing more to send) answers only once the stream was lost.
    vi.spyOn(store, 'pending').mockImplementation(async (...args) => {
      const found = await read(...args)
      if (++reads === 2) await held
      return found
    })
    await send({ peerId: 'P', text: 'a' })
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0])
    sent = []
    outbox.onStreamLost('P')
    await send({ peerId: 'P', text: 'b' })
    release()
    await settle()
    // Both go again on the new stream, in order; nothing is skipped, since both still wait for their ack.
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    expect(sent.flatMap(s => s.skips ?? [])).toEqual([])
    outbox.stop()
  })

  it('resends from the sequence number a HELLO asks for, and takes it as an ack of the rest', async () => {
    const outbox = await makeOutbox()
    for (const text of ['a', 'b', 'c']) await send({ peerId: 'P', text })
    await settle()
    sent = []
    await outbox.onHello('P', await hello(0))
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([1, 2])
    expect(await stateOf('P')).toEqual(['0:delivered', '1:sent', '2:sent'])
    outbox.stop()
  })

  it('after a HELLO that acknowledges nothing (a peer starting afresh), resends every unacknowledged message', async () => {
    const outbox = await makeOutbox()
    for (const text of ['a', 'b']) await send({ peerId: 'P', text })
    await settle()
    sent = []
    await outbox.onHello('P', await hello(null))
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    expect(await stateOf('P')).toEqual(['0:sent', '1:sent'])
    outbox.stop()
  })

  it('fails at once a queued message larger than the peer accepts, naming its limit, and sends the rest', async () => {
    const outbox = await makeOutbox()
    for (const text of ['x'.repeat(600), 'small']) await send({ peerId: 'P', text })
    await settle()
    sent = []
    await outbox.onHello('P', await hello(null, 512))
    await settle()
    const [big, small] = await listed('P')
    expect(big?.state).toBe('failed')
    expect(big?.error).toMatchObject({ name: 'ResourceLimitError', data: { limitType: 'peer-message-bytes', limit: 512, current: 600 } })
    expect(small?.state).toBe('sent')
    // The receiver is told to skip the failed one, so the next is not stuck behind it.
    expect(sent).toEqual([{ peerId: 'P', seqs: [1], skips: [[0, 0]] }])
    // A later message over the peer's limit is refused before it is stored.
    const err = await send({ peerId: 'P', text: 'y'.repeat(513) }).catch((e: unknown) => e)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'peer-message-bytes', limit: 512, current: 513 })
    outbox.stop()
  })

  it('holds messages while the peer is paused, and sends them after its next HELLO', async () => {
    const outbox = await makeOutbox()
    outbox.pause('P')
    await send({ peerId: 'P', text: 'wait' })
    await settle()
    expect(sent).toEqual([])
    expect(outbox.paused('P')).toBe(true)
    await outbox.onHello('P', await hello(null))
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0])
    expect(outbox.paused('P')).toBe(false)
    outbox.stop()
  })

  it('sends a failed message again under its own id, once, as a new number', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'again', id: 'r1' })
    await settle()
    await outbox.failPeer('P', 'peer-closed')
    await settle()
    sent = []
    const again = await outbox.retry(OWN_CHANNEL, 'r1')
    await settle()
    expect(again).toMatchObject({ id: 'r1', seq: 1 })
    expect(sent).toEqual([{ peerId: 'P', seqs: [1], skips: [[0, 0]] }])
    await outbox.onAck('P', 1)
    expect(await stateOf('P')).toEqual(['1:delivered'])
    expect((await store.pendingByPeer()).has('P')).toBe(false)
    await expect(outbox.retry(OWN_CHANNEL, 'r1')).rejects.toBeInstanceOf(ValidationError)
    outbox.stop()
  })

  it('resends everything unacknowledged after the ack timeout, and after a lost stream', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'a' })
    await send({ peerId: 'P', text: 'b' })
    await settle()
    sent = []
    await vi.advanceTimersByTimeAsync(9_999)
    expect(sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    sent = []
    outbox.onStreamLost('P')
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    outbox.stop()
  })

  it('keeps messages queued without a stream, asks for a connection once, and sends when unblocked', async () => {
    const outbox = await makeOutbox()
    failNext = 1
    await send({ peerId: 'P', text: 'a' })
    await settle()
    await send({ peerId: 'P', text: 'b' })
    await settle()
    expect(sent).toEqual([])
    expect(needed).toEqual(['P'])
    expect(await stateOf('P')).toEqual(['0:queued', '1:queued'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sent).toEqual([])
    outbox.unblock('P')
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    expect(await stateOf('P')).toEqual(['0:sent', '1:sent'])
    outbox.stop()
  })

  it('keeps unacknowledged bytes on the wire within the window', async () => {
    const outbox = await makeOutbox({ settings: () => ({ ttlMs: 60_000, ackTimeoutMs: 10_000, maxInFlightBytes: 10, historyPerPeer: 1_000 }) })
    for (let i = 0; i < 4; i++) await send({ peerId: 'P', text: 'x'.repeat(5) })
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1])
    await outbox.onAck('P', 0)
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1, 2])
    outbox.stop()
  })

  it('expires only messages past their time to live, with reason "expired"', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'short', ttlMs: 1_000 })
    await send({ peerId: 'P', text: 'long', ttlMs: 100_000 })
    await settle()
    clock += 5_000
    await outbox.expire()
    const messages = await listed('P')
    expect(messages.map(m => m.state)).toEqual(['failed', 'sent'])
    expect(messages[0]?.error).toMatchObject({ name: 'DeliveryFailedError', data: { reason: 'expired', messageId: messages[0]?.id } })
    expect((await store.pendingByPeer()).get('P')).toEqual({ messages: 1, bytes: 4 })
    outbox.stop()
  })

  it('keeps a message that waits in the peer\'s mailbox past its time to live, as long as a relay keeps mail', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'mailed', ttlMs: 1_000 })
    await send({ peerId: 'P', text: 'not mailed', ttlMs: 1_000 })
    await store.markMailed('P', [0], ['relay'], -1, clock)
    clock += 5_000
    await outbox.expire()
    expect((await listed('P')).map(m => [m.text, m.state])).toEqual([['mailed', 'stored'], ['not mailed', 'failed']])
    clock += MAIL_KEPT_MS
    await outbox.expire()
    expect((await listed('P')).map(m => m.state)).toEqual(['failed', 'failed'])
    outbox.stop()
  })

  it('fails every pending message of a peer that closed on purpose', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'a' })
    await send({ peerId: 'Q', text: 'b' })
    await outbox.failPeer('P', 'peer-closed')
    expect((await listed('P'))[0]?.error?.data).toMatchObject({ reason: 'peer-closed' })
    expect((await listed('Q'))[0]?.state).not.toBe('failed')
    expect((await store.pendingByPeer()).has('P')).toBe(false)
    outbox.stop()
  })

  it('tells the receiver to skip messages that failed, so a later message is not stuck behind them', async () => {
    const outbox = await makeOutbox()
    failNext = 1
    await send({ peerId: 'P', text: 'lost' })
    await settle()
    await outbox.failPeer('P', 'peer-closed')
    await send({ peerId: 'P', text: 'next' })
    outbox.unblock('P')
    await settle()
    expect(sent).toEqual([{ peerId: 'P', seqs: [1], skips: [[0, 0]] }])
    // Once acknowledged past the gap, no more skipping.
    await outbox.onAck('P', 1)
    await send({ peerId: 'P', text: 'after' })
    await settle()
    expect(sent.at(-1)).toEqual({ peerId: 'P', seqs: [2] })
    outbox.stop()
  })

  it('never tells the receiver to skip messages that are only in flight', async () => {
    const outbox = await makeOutbox({ settings: () => ({ ttlMs: 60_000, ackTimeoutMs: 10_000, maxInFlightBytes: 2, historyPerPeer: 1_000 }) })
    for (const text of ['a', 'b', 'c', 'd']) await send({ peerId: 'P', text })
    await settle()
    await outbox.onAck('P', 0)
    await settle()
    // 1 is in flight, unacknowledged; the next batch starts at 2 and must not skip 1.
    expect(sent.every(s => s.skips == null)).toBe(true)
    expect(sent.flatMap(s => s.seqs)).toEqual([0, 1, 2])
    outbox.stop()
  })

  it('refuses empty and oversize messages before storing anything', async () => {
    const outbox = await makeOutbox()
    await expect(send({ peerId: 'P', text: '' })).rejects.toBeInstanceOf(ValidationError)
    const err = await send({ peerId: 'P', text: 'é'.repeat(513) }).catch((e: unknown) => e)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'message-bytes', limit: 1024, current: 1026 })
    expect(await listed('P')).toEqual([])
    outbox.stop()
  })

  it('refuses a sendMany that names one id twice, storing nothing and leaving no gap', async () => {
    const outbox = await makeOutbox()
    const err = await outbox.sendMany('P', [{ ...text('a'), id: 'x' }, { ...text('b'), id: 'x' }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).data.field).toBe('messages.1.id')
    expect(await listed('P')).toEqual([])
    await send({ peerId: 'P', text: 'next' })
    await settle()
    expect(sent.flatMap(s => s.seqs)).toEqual([0])
    outbox.stop()
  })

  it('answers a repeated id with its own message only, never another message\'s state', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'hello', id: 'm1' })
    await expect(send({ peerId: 'P', text: 'hello', id: 'm1' })).resolves.toMatchObject({ id: 'm1', seq: 0 })
    for (const other of [{ peerId: 'Q', text: 'hello' }, { peerId: 'P', text: 'changed' }]) {
      const err = await send({ ...other, id: 'm1' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).data).toMatchObject({ field: 'id' })
    }
    expect((await listed('P')).map(m => m.text)).toEqual(['hello'])
    expect(await listed('Q')).toEqual([])
    outbox.stop()
  })

  it('announces every acknowledged message as delivered, also after a worker restart emptied the window', async () => {
    const before = await makeOutbox()
    for (const value of ['a', 'b']) await before.send('P', text(value))
    await settle()
    before.stop()
    // A new worker: a new Outbox over the same store, nothing in memory.
    const after = new Outbox({ store, transmit: async () => {}, announce: (m) => { announced.push(m) }, needConnection: () => {}, limits: () => ({ maxPendingMessages: 200, maxPendingBytes: 1_000_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 1_000_000, maxMessageBytes: 1024 }), settings: () => ({ ttlMs: 60_000, ackTimeoutMs: 10_000, maxInFlightBytes: 1_000_000, historyPerPeer: 1_000 }), log: () => {} })
    announced = []
    await after.onAck('P', 1)
    expect(announced.map(m => `${m.seq}:${m.state}`)).toEqual(['0:delivered', '1:delivered'])
    after.stop()
  })

  it('makes a message the peer acknowledged late, after it expired, delivered', async () => {
    const outbox = await makeOutbox()
    await send({ peerId: 'P', text: 'slow', ttlMs: 1_000 })
    await settle()
    clock += 5_000
    await outbox.expire()
    expect(await stateOf('P')).toEqual(['0:failed'])
    await outbox.onAck('P', 0)
    expect(await stateOf('P')).toEqual(['0:delivered'])
    expect(announced.at(-1)).toMatchObject({ seq: 0, state: 'delivered' })
    expect((await store.pendingByPeer()).has('P')).toBe(false)
    outbox.stop()
  })

  it('keeps a failed message failed when the ack past it only covers the number the receiver was told to skip', async () => {
    const outbox = await makeOutbox()
    // No stream yet: the first message waits, and expires before it is ever written.
    failNext = 1
    await send({ peerId: 'P', text: 'expires', ttlMs: 1_000 })
    await settle()
    clock += 5_000
    await outbox.expire()
    await send({ peerId: 'P', text: 'next' })
    outbox.unblock('P')
    await settle()
    // The receiver is told to skip 0 before 1, and acknowledges 1: it never had 0.
    expect(sent.at(-1)).toEqual({ peerId: 'P', seqs: [1], skips: [[0, 0]] })
    await outbox.onAck('P', 1)
    expect(await stateOf('P')).toEqual(['0:failed', '1:delivered'])
    outbox.stop()
  })
})
