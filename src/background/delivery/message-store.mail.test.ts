import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { OWN_CHANNEL } from '../../common/client-id.ts'
import { MAIL_SEEN_IDS } from '../../common/constants.ts'
import { newIncarnation, type Hello } from '../../common/wire/frames.ts'
import { MessageStore } from './message-store.ts'
import { messageView } from './message-view.ts'

let store: MessageStore
let dbCount = 0
afterEach(() => { store.close() })
const open = async (): Promise<MessageStore> => { store = await MessageStore.open(`mail-store-test-${dbCount++}`); return store }
const limits = { maxPendingMessages: 100, maxPendingBytes: 10_000, maxPendingMessagesPerClient: 100, maxPendingBytesPerClient: 10_000 }
const send = async (s: MessageStore, texts: string[]): Promise<void> => {
  await s.appendOutgoingMany('B', texts.map((text, i) => ({ id: `${text}-${i}`, peerId: 'B', channel: OWN_CHANNEL, kind: 'text' as const, text, bytes: text.length, at: 1, expiresAt: 1e12 })), limits)
}

describe('the message store\'s mailbox bookkeeping', () => {
  it('marks what a deposit took as stored at its relays, and deposits after it start past it', async () => {
    const s = await open()
    await send(s, ['one', 'two', 'three'])
    const mailed = await s.markMailed('B', [0, 1], ['relay-1'], -1, 500)
    expect(mailed.map(m => m.seq)).toEqual([0, 1])
    expect(await s.mailState('B')).toMatchObject({ mailOutSeq: 1, mailAckedIn: -1, ackedOutSeq: -1 })
    expect((await s.pending('B', (await s.mailState('B')).mailOutSeq + 1)).map(m => m.text)).toEqual(['three'])
    const { found, ackedOutSeq } = await s.history.list('B', 10)
    expect(found.map(m => messageView(m, { ackedOutSeq, sent: () => true }).state)).toEqual(['stored', 'stored', 'sent'])
    expect(messageView(found[0]!, { ackedOutSeq, sent: () => false }).storedAt).toEqual(['relay-1'])
    // Delivered only on the peer's ack, whatever the mailbox says.
    await s.acknowledge('B', 0)
    const after = await s.history.list('B', 10)
    expect(after.found.map(m => messageView(m, { ackedOutSeq: after.ackedOutSeq, sent: () => false }).state)).toEqual(['delivered', 'stored', 'queued'])
  })

  it('leaves again what the peer\'s mailbox lost, but not what merely crossed its answer', async () => {
    const s = await open()
    await send(s, ['one', 'two', 'three', 'four'])
    await s.markMailed('B', [0, 1], ['relay-1'], -1, 500)
    await s.markMailed('B', [2, 3], ['relay-1'], -1, 900)
    // Sealed before it saw our second deposit: it proves nothing about 2 and 3.
    await s.mailLost('B', 1, 500)
    expect((await s.mailState('B')).mailOutSeq).toBe(3)
    // It had seen the second deposit and still has only up to 1: 2 and 3 were lost on the way.
    await s.mailLost('B', 1, 900)
    expect((await s.mailState('B')).mailOutSeq).toBe(1)
  })

  it('a peer that started its side afresh makes every deposit count for nothing', async () => {
    const s = await open()
    await send(s, ['one'])
    const peer: Hello = { incarnation: newIncarnation(), peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, maxMessageBytes: 1024, inactivityTimeoutMs: 60_000, addresses: [] }
    await s.meetHello('B', peer)
    await s.markMailed('B', [0], ['relay-1'], -1, 500)
    expect((await s.mailState('B')).mailOutSeq).toBe(0)
    await s.meetHello('B', { ...peer, incarnation: newIncarnation() })
    expect((await s.mailState('B')).mailOutSeq).toBe(-1)
  })

  it('remembers the newest envelope ids applied, a bounded number, and when the newest was sealed', async () => {
    const s = await open()
    await s.noteMailApplied('B', ['a', 'b'], 100)
    expect(await s.mailSeen('B', 'a')).toBe(true)
    expect(await s.mailSeen('B', 'c')).toBe(false)
    await s.noteMailApplied('B', Array.from({ length: MAIL_SEEN_IDS }, (_, i) => `x${i}`), 50)
    expect(await s.mailSeen('B', 'a')).toBe(false)
    expect(await s.mailSeen('B', `x${MAIL_SEEN_IDS - 1}`)).toBe(true)
    expect((await s.mailState('B')).mailInSentAt).toBe(100)
  })
})
