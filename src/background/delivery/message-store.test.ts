import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ResourceLimitError, ValidationError } from '../../common/errors/index.ts'
import { UnsentAckError } from '../../common/errors/index.ts'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import type { Hello } from '../../common/wire/frames.ts'
import { MessageStore, type IncomingInput, type StoredMessage } from './message-store.ts'
import { messageView } from './message-view.ts'

let store: MessageStore
let dbCount = 0
const openStore = async (): Promise<MessageStore> => { store = await MessageStore.open(`store-test-${dbCount++}`); return store }
afterEach(() => { store.close() })

const limits = { maxPendingMessages: 3, maxPendingBytes: 100, maxPendingMessagesPerClient: 2, maxPendingBytesPerClient: 100 }
let idCount = 0
const out = (peerId: string, text: string, at = 1000, expiresAt = 10_000): Parameters<MessageStore['appendOutgoing']>[0] =>
  ({ id: `m${idCount++}`, peerId, channel: OWN_CHANNEL, kind: 'text', text, bytes: text.length, at, expiresAt })
/** A conversation as pages see it (the outbox's window aside). */
const listed = async (s: MessageStore, peerId: string, limit = 10): Promise<Array<ReturnType<typeof messageView>>> => {
  const { found, ackedOutSeq } = await s.history.list(peerId, limit)
  return found.map(m => messageView(m, { ackedOutSeq, sent: () => false }))
}
/** A message of a client's (another extension's) on its own channel, `bytes` long. */
const fromClient = (peerId: string, client: string, bytes: number): Parameters<MessageStore['appendOutgoing']>[0] =>
  ({ ...out(peerId, 'c'.repeat(bytes)), channel: client })
const inFrames = (...seqs: number[]): IncomingInput[] => seqs.map(seq => ({ seq, id: `w${seq}`, channel: OWN_CHANNEL, kind: 'text', text: `t${seq}`, bytes: 2 }))

describe('MessageStore', () => {
  it('moves a conversation stored before channels existed to Peerlink\'s own channel', async () => {
    const name = `store-test-${dbCount++}`
    const old = await openDB(name, 2, {
      upgrade (db) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' })
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerDirSeq', ['peerId', 'direction', 'seq'])
        messages.createIndex('byPeerWireId', ['peerId', 'wireId'])
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
      }
    })
    await old.put('messages', { id: 'old-1', peerId: 'A', direction: 'in', seq: 0, text: 'from before', bytes: 11, at: 5, state: 'received', wireId: 'w0' })
    await old.put('messages', { id: 'old-2', peerId: 'A', direction: 'out', seq: 0, text: 'still queued', bytes: 12, at: 6, state: 'queued', expiresAt: 99 })
    old.close()
    const s = await MessageStore.open(name)
    store = s
    const { found } = await s.history.list('A', 10, { channel: OWN_CHANNEL })
    expect(found).toMatchObject([{ id: 'old-1', channel: OWN_CHANNEL, kind: 'text', text: 'from before' }, { id: 'old-2', channel: OWN_CHANNEL }])
    // The queued message is still found to be sent.
    expect((await s.pending('A')).map(m => m.id)).toEqual(['old-2'])
  })

  it('upgrades a database written by schema 3: ids keyed by channel, incoming ids by incarnation, each client\'s pending bytes counted', async () => {
    const name = `store-test-${dbCount++}`
    const [app, peerIncarnation] = ['extension:aaaa', '11'.repeat(16)]
    // Exactly what schema 3 made and wrote: one key space for every id, a sender's id found by peer alone.
    const v3 = await openDB(name, 3, {
      upgrade (db) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' })
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerWireId', ['peerId', 'wireId'])
        messages.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
      }
    })
    const outgoing = { peerId: 'A', direction: 'out', kind: 'text', state: 'queued', expiresAt: 99_000 }
    await v3.put('messages', { ...outgoing, id: 'o0', seq: 0, outSeq: 0, channel: OWN_CHANNEL, text: 'hi', bytes: 2, at: 1 })
    await v3.put('messages', { ...outgoing, id: 'o1', seq: 1, outSeq: 1, channel: OWN_CHANNEL, text: 'own', bytes: 3, at: 2 })
    await v3.put('messages', { ...outgoing, id: 'a1', seq: 2, outSeq: 2, channel: app, text: 'c'.repeat(20), bytes: 20, at: 3 })
    await v3.put('messages', { id: 'in-0', wireId: 'x', peerId: 'A', direction: 'in', seq: 0, channel: app, kind: 'text', text: 'first', bytes: 5, at: 4, state: 'received' })
    await v3.put('messages', { id: 'in-1', wireId: 'y', peerId: 'A', direction: 'in', seq: 1, channel: OWN_CHANNEL, kind: 'text', text: 'hello', bytes: 5, at: 5, state: 'received' })
    await v3.put('ledgers', {
      peerId: 'A', incarnation: 'aa'.repeat(16), peerIncarnation, peerMaxMessageBytes: 1024, nextOutSeq: 3, nextInSeq: 2, ackedOutSeq: 0,
      pendingCount: 2, pendingBytes: 23, pendingByChannel: { [app]: 1 }, storedCount: 5
    })
    v3.close()

    const s = store = await MessageStore.open(name)
    expect((await s.history.get(app, 'a1'))?.found).toMatchObject({ id: 'a1', channel: app, text: 'c'.repeat(20) })
    expect((await s.history.get(OWN_CHANNEL, 'o1'))?.found).toMatchObject({ id: 'o1', text: 'own' })
    expect(await s.history.get(OWN_CHANNEL, 'a1')).toBeUndefined()
    expect((await s.pending('A')).map(m => m.id)).toEqual(['o1', 'a1'])
    expect((await s.history.list('A', 10, { channel: app })).found.map(m => m.text)).toEqual(['c'.repeat(20), 'first'])
    // A message received before the upgrade, sent again by the same incarnation, is still stored once.
    expect(await s.storeIncoming('A', [{ seq: 2, id: 'x', channel: app, kind: 'text', text: 'first', bytes: 5 }])).toEqual({ stored: [], ackSeq: 2 })
    // The client's pending bytes were counted by the upgrade: its quota applies to what it queued before.
    const l = { maxPendingMessages: 10, maxPendingBytes: 1000, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 40 }
    expect((await s.appendOutgoing(fromClient('A', app, 21), l).catch((e: unknown) => e) as ResourceLimitError).data)
      .toEqual({ limitType: 'client-pending-bytes', limit: 40, current: 41 })
    // Acknowledged, its bytes go back exactly.
    await s.acknowledge('A', 2)
    await s.appendOutgoing(fromClient('A', app, 40), l)
  })

  it('numbers outgoing messages per peer from 0 without gaps', async () => {
    const s = await openStore()
    const seqs = []
    for (let i = 0; i < 3; i++) seqs.push((await s.appendOutgoing(out('A', `m${i}`), limits)).message.seq)
    seqs.push((await s.appendOutgoing(out('B', 'b0'), limits)).message.seq)
    expect(seqs).toEqual([0, 1, 2, 0])
  })

  it('answers a repeated id with the stored message instead of queueing it twice', async () => {
    const s = await openStore()
    const input = out('A', 'once')
    const first = await s.appendOutgoing(input, limits)
    const again = await s.appendOutgoing(input, limits)
    expect(first.created).toBe(true)
    expect(again.created).toBe(false)
    expect(again.message).toEqual(first.message)
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 1, bytes: 4 })
  })

  it('enforces the count and byte limits with a ResourceLimitError, touching nothing queued', async () => {
    const s = await openStore()
    for (let i = 0; i < 3; i++) await s.appendOutgoing(out('A', 'x'.repeat(10)), limits)
    const tooMany = await s.appendOutgoing(out('A', 'y'), limits).catch((e: unknown) => e)
    expect(tooMany).toBeInstanceOf(ResourceLimitError)
    expect((tooMany as ResourceLimitError).data).toEqual({ limitType: 'pending-messages', limit: 3, current: 4 })
    const tooBig = await s.appendOutgoing(out('B', 'z'.repeat(101)), limits).catch((e: unknown) => e)
    expect((tooBig as ResourceLimitError).data).toEqual({ limitType: 'pending-bytes', limit: 100, current: 101 })
    expect((await listed(s, 'A', 10)).map(m => m.seq)).toEqual([0, 1, 2])
    expect(await listed(s, 'B', 10)).toEqual([])
    // The refused message did not use up a sequence number.
    await s.acknowledge('A', 0)
    expect((await s.appendOutgoing(out('A', 'next'), limits)).message.seq).toBe(3)
  })

  it('queues a batch in one go, or nothing of it when it does not fit', async () => {
    const s = await openStore()
    const batch = ['a', 'b'].map(text => out('A', text))
    const results = await s.appendOutgoingMany('A', batch, limits)
    expect(results.map(r => [r.message.seq, r.created])).toEqual([[0, true], [1, true]])
    // A repeat of the same ids changes nothing; a batch over the limit is refused whole.
    expect((await s.appendOutgoingMany('A', batch, limits)).every(r => !r.created)).toBe(true)
    const tooMany = await s.appendOutgoingMany('A', ['c', 'd'].map(text => out('A', text)), limits).catch((e: unknown) => e)
    expect((tooMany as ResourceLimitError).data).toEqual({ limitType: 'pending-messages', limit: 3, current: 4 })
    expect((await listed(s, 'A', 10)).map(m => m.text)).toEqual(['a', 'b'])
  })

  it('stores incoming messages in order: drops duplicates (including 0) and everything after a gap', async () => {
    const s = await openStore()
    expect((await s.storeIncoming('A', inFrames(0, 1))).ackSeq).toBe(1)
    expect((await s.storeIncoming('A', inFrames(0, 1))).stored).toEqual([])
    const gap = await s.storeIncoming('A', inFrames(3, 4))
    expect(gap).toEqual({ stored: [], ackSeq: 1 })
    const resent = await s.storeIncoming('A', inFrames(1, 2, 3, 4))
    expect(resent.stored.map(m => m.seq)).toEqual([2, 3, 4])
    expect(resent.ackSeq).toBe(4)
    expect((await s.ourHello('A')).nextExpectedSeq).toBe(5)
    expect((await s.ourHello('B')).nextExpectedSeq).toBe(0)
    expect((await s.storeIncoming('B', [])).ackSeq).toBe(-1)
  })

  it('marks every gap of failed messages before a pending one, exactly, and nothing else', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 10, maxPendingBytes: 1000, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 1000 }
    for (const text of ['a', 'b', 'c', 'd', 'e', 'f']) await s.appendOutgoing(out('A', text), l)
    const gaps = async (from = 0): Promise<Array<[number, number | undefined]>> => (await s.pending('A', from)).map(m => [m.seq, m.skipFrom])
    expect(await gaps()).toEqual([[0, undefined], [1, undefined], [2, undefined], [3, undefined], [4, undefined], [5, undefined]])
    const fail = async (seqs: number[]): Promise<void> => { await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => seqs.includes(m.seq)) }
    await fail([0, 1, 3])
    // Two gaps: 0–1 before 2, and 3 before 4.
    expect(await gaps()).toEqual([[2, 0], [4, 3], [5, undefined]])
    // From a later point (what is already on the wire stays as it is), gaps count from there.
    expect(await gaps(4)).toEqual([[4, undefined], [5, undefined]])
    expect(await gaps(3)).toEqual([[4, 3], [5, undefined]])
    await s.acknowledge('A', 2)
    expect(await gaps()).toEqual([[4, 3], [5, undefined]])
  })

  it('skips only the failed range it is told of, and only when waiting inside it', async () => {
    const s = await openStore()
    await s.storeIncoming('A', inFrames(0))
    expect(await s.skipIncoming('A', 1, 2)).toBe(2)
    expect((await s.storeIncoming('A', inFrames(3))).stored.map(m => m.seq)).toEqual([3])
    // A range behind what is expected, or ahead of it, moves nothing: 4 may still be on its way.
    expect(await s.skipIncoming('A', 0, 1)).toBe(3)
    expect(await s.skipIncoming('A', 5, 6)).toBe(3)
    expect((await s.ourHello('A')).nextExpectedSeq).toBe(4)
  })

  it('holds each client to its byte quota, and all clients together to what leaves Peerlink\'s own pages their headroom', async () => {
    const s = await openStore()
    const [appA, appB, appC] = ['extension:aaaa', 'extension:bbbb', 'extension:cccc']
    const l = { maxPendingMessages: 20, maxPendingBytes: 100, maxPendingMessagesPerClient: 20, maxPendingBytesPerClient: 40 }
    await s.appendOutgoing(fromClient('A', appA, 40), l)
    const overQuota = await s.appendOutgoing(fromClient('A', appA, 1), l).catch((e: unknown) => e)
    expect(overQuota).toBeInstanceOf(ResourceLimitError)
    expect((overQuota as ResourceLimitError).data).toEqual({ limitType: 'client-pending-bytes', limit: 40, current: 41 })
    // Another client has its own quota; together the clients may hold three quarters of the peer's bytes.
    await s.appendOutgoing(fromClient('A', appB, 35), l)
    const overShare = await s.appendOutgoing(fromClient('A', appC, 1), l).catch((e: unknown) => e)
    expect((overShare as ResourceLimitError).data).toEqual({ limitType: 'clients-pending-bytes', limit: 75, current: 76 })
    // What is left is Peerlink's own pages'.
    await s.appendOutgoing(out('A', 'x'.repeat(25)), l)
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 3, bytes: 100 })
    // A quota set above the peer's limit still leaves the headroom.
    const generous = { ...l, maxPendingBytesPerClient: 1_000 }
    await s.appendOutgoing(fromClient('B', appA, 75), generous)
    expect((await s.appendOutgoing(fromClient('B', appA, 1), generous).catch((e: unknown) => e) as ResourceLimitError).data)
      .toEqual({ limitType: 'clients-pending-bytes', limit: 75, current: 76 })
    // The same holds for the number of messages.
    const few = { maxPendingMessages: 4, maxPendingBytes: 100, maxPendingMessagesPerClient: 4, maxPendingBytesPerClient: 100 }
    for (let i = 0; i < 3; i++) await s.appendOutgoing(fromClient('C', appA, 1), few)
    expect((await s.appendOutgoing(fromClient('C', appB, 1), few).catch((e: unknown) => e) as ResourceLimitError).data)
      .toEqual({ limitType: 'clients-pending-messages', limit: 3, current: 4 })
    await s.appendOutgoing(out('C', 'mine'), few)
    // Acks and failures give back exactly each client's bytes.
    await s.acknowledge('A', 0)
    await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => m.channel === appB)
    await s.appendOutgoing(fromClient('A', appA, 40), l)
    await s.appendOutgoing(fromClient('A', appC, 35), l)
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 3, bytes: 100 })
  })

  it('takes a sender\'s id as already stored only from the same incarnation, on the same channel, for the same message', async () => {
    const s = await openStore()
    const [app, other] = ['extension:aaaa', 'extension:bbbb']
    const helloFrom = (incarnation: string): Hello => ({ incarnation, peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, maxMessageBytes: 1024, inactivityTimeoutMs: 120_000, addresses: [] })
    const frame = (seq: number, channel: string, text: string): IncomingInput => ({ seq, id: 'x', channel, kind: 'text', text, bytes: text.length })
    const stored = (result: { stored: StoredMessage[] }): Array<[number, string, string]> => result.stored.map(m => [m.seq, m.channel, m.text])
    await s.meetHello('A', helloFrom('11'.repeat(16)))
    expect(stored(await s.storeIncoming('A', [frame(0, app, 'first')]))).toEqual([[0, app, 'first']])
    // Sent again after it failed at the sender (a retry keeps its id): its number is taken, and it is stored once.
    expect(await s.storeIncoming('A', [frame(1, app, 'first')])).toMatchObject({ stored: [], ackSeq: 1 })
    // Another client's message under the same id, and a new message under an id the sender could use again: both kept.
    expect(stored(await s.storeIncoming('A', [frame(2, other, 'first'), frame(3, app, 'second')]))).toEqual([[2, other, 'first'], [3, app, 'second']])
    expect(await s.storeIncoming('A', [frame(4, app, 'second'), frame(5, app, 'first')])).toMatchObject({ stored: [], ackSeq: 5 })
    // The sender started afresh (reinstalled): its ids start over, and the first message is new.
    await s.meetHello('A', helloFrom('22'.repeat(16)))
    expect(stored(await s.storeIncoming('A', [frame(0, app, 'first')]))).toEqual([[0, app, 'first']])
    expect((await s.history.list('A', 10, { channel: app })).found.map(m => m.text)).toEqual(['first', 'second', 'first'])
  })

  it('applies cumulative acks once, to that peer only, and gives back exactly their bytes', async () => {
    const s = await openStore()
    for (let i = 0; i < 3; i++) await s.appendOutgoing(out('A', `a${i}`), { maxPendingMessages: 10, maxPendingBytes: 100, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 100 })
    await s.appendOutgoing(out('B', 'b0'), limits)
    expect((await s.acknowledge('A', 1)).map(m => [m.seq, m.state])).toEqual([[0, 'delivered'], [1, 'delivered']])
    expect(await s.acknowledge('A', 0)).toEqual([])
    expect((await listed(s, 'A', 10)).map(m => m.state)).toEqual(['delivered', 'delivered', 'queued'])
    expect(await s.pendingByPeer()).toEqual(new Map([['A', { messages: 1, bytes: 2 }], ['B', { messages: 1, bytes: 2 }]]))
    await s.acknowledge('A', 2)
    expect((await s.pendingByPeer()).has('A')).toBe(false)
  })

  it('fails only the messages selected, releasing their share; a late ack does not count them twice', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 10, maxPendingBytes: 1000, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 1000 }
    await s.appendOutgoing(out('A', 'old', 1000, 2000), l)
    await s.appendOutgoing(out('A', 'fresh', 1500, 9000), l)
    const failed = await s.failPending('A', m => ({ name: 'DeliveryFailedError', message: `expired ${m.id}`, data: {} }), m => (m.expiresAt ?? 0) <= 5000)
    expect(failed.map(m => m.text)).toEqual(['old'])
    expect(failed[0]?.error?.message).toBe(`expired ${failed[0]?.id}`)
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 1, bytes: 5 })
    // The peer acks both later: it has the failed one, so that one is delivered, and not subtracted twice.
    expect((await s.acknowledge('A', 1)).map(m => m.text)).toEqual(['old', 'fresh'])
    expect(await listed(s, 'A', 10)).toMatchObject([{ state: 'delivered' }, { state: 'delivered' }])
    expect((await listed(s, 'A', 10))[0]?.error).toBeUndefined()
    expect((await s.pendingByPeer()).has('A')).toBe(false)
  })

  it('lists pending messages from a sequence number within a byte budget, never acknowledged or failed ones', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 10, maxPendingBytes: 1000, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 1000 }
    for (let i = 0; i < 4; i++) await s.appendOutgoing(out('A', 'x'.repeat(10), 1000, 5000 + i), l)
    expect((await s.pending('A', 1, 25)).map(m => m.seq)).toEqual([1, 2])
    expect((await s.pending('A', 0, 5)).map(m => m.seq)).toEqual([0])
    await s.acknowledge('A', 0)
    await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => m.seq === 2)
    expect((await s.pending('A')).map(m => m.seq)).toEqual([1, 3])
  })

  it('keeps the byte accounting exact through acks, failures and acks past failures', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
    const sizes = [5, 7, 11, 13, 17]
    for (const n of sizes) await s.appendOutgoing(out('A', 'y'.repeat(n)), l)
    const pending = async (): Promise<unknown> => (await s.pendingByPeer()).get('A') ?? { messages: 0, bytes: 0 }
    expect(await pending()).toEqual({ messages: 5, bytes: 53 })
    await s.acknowledge('A', 1)
    expect(await pending()).toEqual({ messages: 3, bytes: 41 })
    await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => m.seq === 3)
    expect(await pending()).toEqual({ messages: 2, bytes: 28 })
    // The ack moves past the failed message: it is not subtracted twice.
    await s.acknowledge('A', 4)
    expect(await pending()).toEqual({ messages: 0, bytes: 0 })
    expect((await listed(s, 'A', 10)).map(m => m.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered'])
  })

  it('refuses an ack of a sequence number never sent, changing nothing', async () => {
    const s = await openStore()
    await s.appendOutgoing(out('A', 'only'), limits)
    const err = await s.acknowledge('A', 7).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnsentAckError)
    expect((err as UnsentAckError).data).toEqual({ peerId: 'A', seq: 7, nextOutSeq: 1 })
    await expect(s.acknowledge('B', 0)).rejects.toBeInstanceOf(UnsentAckError)
    expect((await listed(s, 'A')).map(m => m.state)).toEqual(['queued'])
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 1, bytes: 4 })
  })

  it('lists the newest messages of a conversation, oldest first, same-millisecond ones in order', async () => {
    const s = await openStore()
    for (let i = 0; i < 5; i++) await s.appendOutgoing(out('A', `m${i}`, 1000), { maxPendingMessages: 10, maxPendingBytes: 1000, maxPendingMessagesPerClient: 10, maxPendingBytesPerClient: 1000 })
    expect((await listed(s, 'A', 2)).map(m => m.text)).toEqual(['m3', 'm4'])
  })

  it('prunes the oldest delivered and received messages down to the history limit, never a pending or unacknowledged one', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
    for (let i = 0; i < 4; i++) await s.appendOutgoing(out('A', `o${i}`, 1000 + i), l)
    await s.storeIncoming('A', inFrames(0, 1, 2), 2000)
    await s.acknowledge('A', 1)
    await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => m.seq === 2)
    // Seven messages: o0, o1 delivered; o2 failed after the ack point; o3 pending; t0..t2 received.
    expect(await s.history.prune('A', 3)).toBe(4)
    expect((await listed(s, 'A')).map(m => m.text)).toEqual(['o2', 'o3', 't2'])
    expect(await s.history.prune('A', 3)).toBe(0)
    // Only messages that must stay are left: nothing more goes, whatever the limit.
    expect(await s.history.prune('A', 0)).toBe(1)
    expect((await listed(s, 'A')).map(m => m.text)).toEqual(['o2', 'o3'])
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 1, bytes: 2 })
    // The ack past them still counts exactly.
    await s.acknowledge('A', 3)
    expect((await s.pendingByPeer()).has('A')).toBe(false)
  })

  it('keeps counting a conversation after its first prune, as messages come and go', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
    await s.storeIncoming('A', inFrames(0, 1, 2, 3, 4), 2000)
    expect(await s.history.prune('A', 3)).toBe(2)
    await s.storeIncoming('A', inFrames(5, 6), 3000)
    for (let i = 0; i < 2; i++) await s.appendOutgoing(out('A', `o${i}`, 4000 + i), l)
    await s.acknowledge('A', 1)
    // 3 kept + 2 received + 2 delivered: 4 over the limit, oldest first.
    expect(await s.history.prune('A', 3)).toBe(4)
    expect((await listed(s, 'A')).map(m => m.text)).toEqual(['t6', 'o0', 'o1'])
    expect(await s.history.prune('A', 3)).toBe(0)
  })

  it('starts the next prune after what the last one removed, but never past a message it had to keep', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
    for (let i = 0; i < 2; i++) await s.appendOutgoing(out('A', `o${i}`, 1000 + i), l)
    await s.acknowledge('A', 0)
    await s.storeIncoming('A', inFrames(0, 1, 2, 3), 2000)
    // o0 delivered, o1 pending, t0..t3: o1 stays, so three others go.
    expect(await s.history.prune('A', 3)).toBe(3)
    expect((await listed(s, 'A')).map(m => m.text)).toEqual(['o1', 't2', 't3'])
    await s.acknowledge('A', 1)
    await s.storeIncoming('A', inFrames(4, 5), 3000)
    // o1, delivered now, is the oldest: it goes first.
    expect(await s.history.prune('A', 3)).toBe(2)
    expect((await listed(s, 'A')).map(m => m.text)).toEqual(['t3', 't4', 't5'])
  })

  it('pages back through a conversation from a message, within a byte budget', async () => {
    const s = await openStore()
    const l = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await s.appendOutgoing(out('A', `m${i}`, 1000), l)).message.id)
    const page = async (before?: string, maxBytes?: number): Promise<string[]> =>
      (await s.history.list('A', 2, { ...(before == null ? {} : { before }), ...(maxBytes == null ? {} : { maxBytes }) })).found.map(m => m.text)
    expect(await page()).toEqual(['m4', 'm5'])
    expect(await page(ids[4])).toEqual(['m2', 'm3'])
    expect(await page(ids[0])).toEqual([])
    expect(await page(undefined, 3)).toEqual(['m5'])
    expect(await page(undefined, 1)).toEqual(['m5'])
    await expect(s.history.list('B', 2, { before: ids[0] })).rejects.toBeInstanceOf(ValidationError)
  })

  it('prunes a growing conversation in the background once enough new messages came', async () => {
    const s = await openStore()
    await s.storeIncoming('A', inFrames(0, 1, 2, 3, 4))
    s.history.grew('A', 5, 10, () => {})
    await new Promise(resolve => setTimeout(resolve, 20))
    expect((await listed(s, 'A')).length).toBe(5)
    await s.storeIncoming('A', inFrames(5, 6, 7, 8, 9, 10, 11))
    s.history.grew('A', 7, 10, () => {})
    await vi.waitFor(async () => { expect((await listed(s, 'A', 100)).map(m => m.text)).toEqual(['t2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't11']) })
  })
})
