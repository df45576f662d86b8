import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { afterEach, describe, expect, it } from 'vitest'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import { MAX_BURST_BYTES, MAX_BURST_MESSAGES } from '../../common/constants.ts'
import type { Hello } from '../../common/wire/frames.ts'
import { MessageStore, type IncomingInput, type OutgoingInput } from './message-store.ts'

let store: MessageStore
let dbCount = 0
const newName = (): string => `bursts-test-${dbCount++}`
afterEach(() => { store.close() })

const roomy = { maxPendingMessages: 20_000, maxPendingBytes: 100_000_000, maxPendingMessagesPerClient: 20_000, maxPendingBytesPerClient: 100_000_000 }
const outgoing = (n: number, { at = 1000, bytes = 0, channel = OWN_CHANNEL } = {}): OutgoingInput[] =>
  Array.from({ length: n }, (_, i) => {
    const text = `o${i}`.padEnd(bytes, '.')
    return { id: `o${i}`, peerId: 'A', channel, kind: 'text', text, bytes: text.length, at, expiresAt: 1e12 }
  })
const incoming = (from: number, n: number, channel = OWN_CHANNEL): IncomingInput[] =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, id: `w${from + i}`, channel, kind: 'text', text: `t${from + i}`, bytes: 2 }))
/** The records the bursts store holds. */
const records = async (name: string): Promise<number> => {
  const db = await openDB(name)
  const count = await db.count('bursts')
  db.close()
  return count
}
const texts = async (s: MessageStore, limit = 1_000, options: Parameters<MessageStore['history']['list']>[2] = {}): Promise<string[]> =>
  (await s.history.list('A', limit, options)).found.map(m => m.text)

describe('a record per burst', () => {
  it('stores messages written together as few records as the burst limits allow', async () => {
    const name = newName()
    const s = store = await MessageStore.open(name)
    await s.appendOutgoingMany('A', outgoing(MAX_BURST_MESSAGES * 2 + 5), roomy)
    await s.storeIncoming('A', incoming(0, 50), 2000)
    expect(await records(name)).toBe(3 + 1)
    // Large messages: a record holds at most MAX_BURST_BYTES of them.
    const large = outgoing(10, { at: 3000, bytes: 64 * 1024 }).map(m => ({ ...m, id: `L${m.id}` }))
    await s.appendOutgoingMany('A', large, roomy)
    expect(await records(name)).toBe(4 + Math.ceil(10 / Math.floor(MAX_BURST_BYTES / (64 * 1024))))
    expect((await texts(s)).length).toBe(MAX_BURST_MESSAGES * 2 + 5 + 50 + 10)
  })

  it('keeps each message of a burst on its own: failed, sent again, skipped, mailed, acknowledged and paged', async () => {
    const s = store = await MessageStore.open(newName())
    const sent = await s.appendOutgoingMany('A', outgoing(6), roomy)
    const ids = sent.map(r => r.message.id)
    // o2 and o3 fail in the middle of their burst; the rest stays queued.
    const failed = await s.failPending('A', () => ({ name: 'DeliveryFailedError', message: 'x', data: {} }), m => m.seq === 2 || m.seq === 3)
    expect(failed.map(m => m.id)).toEqual(['o2', 'o3'])
    expect((await s.pending('A')).map(m => [m.seq, m.skipFrom])).toEqual([[0, undefined], [1, undefined], [4, 2], [5, undefined]])
    await s.markSkipped('A', 2, 3)
    expect((await s.history.get(OWN_CHANNEL, 'o2'))?.found).toMatchObject({ state: 'failed', skipped: true })
    // o3 is sent again: it leaves its burst for one of its own, numbered last; same-millisecond messages go by number.
    const again = await s.requeue(OWN_CHANNEL, 'o3', roomy)
    expect(again.message.seq).toBe(6)
    expect(await texts(s)).toEqual(['o0', 'o1', 'o2', 'o4', 'o5', 'o3'])
    expect((await s.pending('A', 5)).map(m => m.id)).toEqual(['o5', 'o3'])
    const mailed = await s.markMailed('A', [4, 6], ['relay'], -1, 5000)
    expect(mailed.map(m => m.id)).toEqual(['o4', 'o3'])
    expect((await s.history.get(OWN_CHANNEL, 'o4'))?.found.mailbox).toEqual({ relays: ['relay'], at: 5000 })
    // An ack past the skipped o2 delivers everything else, o2 not.
    expect((await s.acknowledge('A', 6)).map(m => m.id)).toEqual(['o0', 'o1', 'o4', 'o5', 'o3'])
    expect((await s.pendingByPeer()).has('A')).toBe(false)
    // Paging back from inside a burst.
    expect(await texts(s, 2, { before: ids[4] })).toEqual(['o1', 'o2'])
    expect(await texts(s, 2, { before: ids[2] })).toEqual(['o0', 'o1'])
    expect(await texts(s, 3, { before: ids[3] })).toEqual(['o2', 'o4', 'o5'])
  })

  it('prunes part of a burst, keeps its pending messages, and finds a resent message in an older burst', async () => {
    const s = store = await MessageStore.open(newName())
    await s.storeIncoming('A', incoming(0, 10), 1000)
    await s.appendOutgoingMany('A', outgoing(4, { at: 2000 }), roomy)
    await s.acknowledge('A', 1)
    // t0..t9 then o0, o1 delivered and o2, o3 pending: 9 go, the oldest first, one received one stays in its burst.
    expect(await s.history.prune('A', 5)).toBe(9)
    expect(await texts(s)).toEqual(['t9', 'o0', 'o1', 'o2', 'o3'])
    expect(await s.history.prune('A', 0)).toBe(3)
    expect(await texts(s)).toEqual(['o2', 'o3'])
    await s.storeIncoming('A', incoming(10, 3), 3000)
    // The sender sends w11 again after it failed there: found inside the burst, stored once.
    expect(await s.storeIncoming('A', [{ ...incoming(11, 1)[0]!, seq: 13 }])).toEqual({ stored: [], ackSeq: 13 })
    expect(await texts(s)).toEqual(['o2', 'o3', 't10', 't11', 't12'])
  })

  it('keeps records of the same millisecond in the order they were written, though the sender started its numbers afresh', async () => {
    const s = store = await MessageStore.open(newName())
    const hello = (incarnation: string): Hello => ({ incarnation, peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, maxMessageBytes: 1024, inactivityTimeoutMs: 120_000, addresses: [] })
    await s.meetHello('A', hello('11'.repeat(16)))
    await s.storeIncoming('A', incoming(0, 1), 500)
    await s.storeIncoming('A', incoming(1, 2), 1000)
    // Reinstalled in the same millisecond: its numbers start at 0 again, below the 1 and 2 just stored, and its messages still come after.
    await s.meetHello('A', hello('22'.repeat(16)))
    await s.storeIncoming('A', incoming(0, 2).map(m => ({ ...m, text: `new ${m.text}` })), 1000)
    await s.appendOutgoingMany('A', outgoing(1, { at: 1000 }), roomy)
    expect(await texts(s)).toEqual(['t0', 't1', 't2', 'new t0', 'new t1', 'o0'])
    expect(await texts(s, 2, { before: (await s.history.list('A', 10)).found[3]!.id })).toEqual(['t1', 't2'])
    expect(await texts(s, 10, { channel: OWN_CHANNEL })).toEqual(['t0', 't1', 't2', 'new t0', 'new t1', 'o0'])
  })

  it('lists and expires a client\'s messages inside a burst of several channels', async () => {
    const s = store = await MessageStore.open(newName())
    const app = 'extension:aaaa'
    const mixed = incoming(0, 6).map((m, i) => i % 2 === 0 ? { ...m, channel: app } : m)
    await s.storeIncoming('A', mixed, 1000)
    await s.storeIncoming('A', incoming(6, 2, app), 5000)
    expect(await texts(s, 10, { channel: app })).toEqual(['t0', 't2', 't4', 't6', 't7'])
    expect(await texts(s, 2, { channel: app, before: (await s.history.list('A', 10, { channel: app })).found[3]!.id })).toEqual(['t2', 't4'])
    expect((await s.history.newest('A', OWN_CHANNEL))?.text).toBe('t5')
    // The app's messages older than 2000 expire; Peerlink's own in the same burst stay.
    expect(await s.history.expireChannels('A', channel => channel === app, 2000)).toEqual(new Map([[app, 2]]))
    expect(await texts(s)).toEqual(['t1', 't3', 't5', 't6', 't7'])
  })
})

describe('a database written by schema 4', () => {
  it('moves 10,000 messages into bursts: every message found, paged, counted and sent as before', async () => {
    const name = newName()
    const peerIncarnation = '11'.repeat(16)
    // Exactly what schema 4 made and wrote: a record per message, keyed by channel and id, with four indexes.
    const v4 = await openDB(name, 4, {
      upgrade (db) {
        const messages = db.createObjectStore('messages', { keyPath: ['channel', 'id'] })
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
        messages.createIndex('byWireId', ['peerId', 'wireIncarnation', 'channel', 'wireId'])
        messages.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
        db.createObjectStore('ledgers', { keyPath: 'peerId' })
      }
    })
    const app = 'extension:aaaa'
    // 5,000 each way, as bursts of 50 would write them (one time per burst); the last 100 outgoing pending, 20 of them the app's.
    const tx = v4.transaction(['messages', 'ledgers'], 'readwrite')
    for (let i = 0; i < 5_000; i++) {
      const at = 1_000 + Math.floor(i / 50) * 10
      void tx.objectStore('messages').put({ id: `in-${i}`, wireId: `w${i}`, wireIncarnation: peerIncarnation, peerId: 'A', direction: 'in', seq: i, channel: OWN_CHANNEL, kind: 'text', text: `t${i}`, bytes: 1024, at, state: 'received' })
      const channel = i >= 4_980 ? app : OWN_CHANNEL
      void tx.objectStore('messages').put({ id: `out-${i}`, peerId: 'A', direction: 'out', seq: i, outSeq: i, channel, kind: 'text', text: `o${i}`, bytes: 1024, at: at + 5, state: 'queued', expiresAt: 1e12 })
    }
    void tx.objectStore('ledgers').put({
      peerId: 'A', incarnation: 'aa'.repeat(16), peerIncarnation, peerMaxMessageBytes: 65_536, nextOutSeq: 5_000, nextInSeq: 5_000, ackedOutSeq: 4_899,
      pendingCount: 100, pendingBytes: 102_400, pendingByChannel: { [app]: 20 }, pendingBytesByChannel: { [app]: 20_480 }, storedCount: 10_000
    })
    await tx.done
    v4.close()

    const s = store = await MessageStore.open(name)
    // Each burst written together is one record now.
    expect(await records(name)).toBe(200)
    expect((await s.history.get(OWN_CHANNEL, 'in-1234'))?.found).toMatchObject({ text: 't1234', direction: 'in', seq: 1234 })
    expect((await s.history.get(app, 'out-4999'))?.found).toMatchObject({ text: 'o4999', channel: app })
    expect(await s.history.get(OWN_CHANNEL, 'out-4999')).toBeUndefined()
    // Paged back through the whole conversation, in the order it was written.
    const seen: string[] = []
    let before: string | undefined
    for (;;) {
      const { found } = await s.history.list('A', 300, before == null ? {} : { before })
      if (found.length === 0) break
      seen.unshift(...found.map(m => m.text))
      before = found[0]!.id
    }
    expect(seen.length).toBe(10_000)
    expect(seen.slice(0, 3)).toEqual(['t0', 't1', 't2'])
    expect(seen.slice(48, 53)).toEqual(['t48', 't49', 'o0', 'o1', 'o2'])
    expect((await texts(s, 10, { channel: app })).length).toBe(10)
    // The outbox goes on where it stood, and the counts are exact.
    expect((await s.pending('A')).map(m => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 4_900 + i))
    expect((await s.pendingByPeer()).get('A')).toEqual({ messages: 100, bytes: 102_400 })
    expect((await s.pendingChannels()).get('A')).toEqual([app])
    // A message received before the upgrade, sent again by the same incarnation, is still stored once.
    expect(await s.storeIncoming('A', [{ seq: 5_000, id: 'w4321', channel: OWN_CHANNEL, kind: 'text', text: 't4321', bytes: 1024 }])).toEqual({ stored: [], ackSeq: 5_000 })
    expect((await s.acknowledge('A', 4_999)).length).toBe(100)
    // The history bound removes the oldest, a burst at a time.
    expect(await s.history.prune('A', 9_000)).toBe(1_000)
    expect(await records(name)).toBe(180)
    expect((await texts(s, 1)).length).toBe(1)
  }, 60_000)
})
