import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { MessageStore } from './message-store.ts'

let store: MessageStore
let dbCount = 0
const openStore = async (): Promise<MessageStore> => { store = await MessageStore.open(`test-${dbCount++}`); return store }

afterEach(() => { store.close() })

describe('MessageStore', () => {
  it('numbers outgoing messages per peer from 0 without gaps', async () => {
    const s = await openStore()
    const seqs = []
    for (let i = 0; i < 3; i++) seqs.push((await s.appendOutgoing('A', `m${i}`)).seq)
    seqs.push((await s.appendOutgoing('B', 'b0')).seq)
    expect(seqs).toEqual([0, 1, 2, 0])
  })

  it('drops duplicate incoming sequence numbers, including 0', async () => {
    const s = await openStore()
    expect(await s.storeIncoming('A', 0, 'first')).not.toBeNull()
    expect(await s.storeIncoming('A', 0, 'again')).toBeNull()
    expect(await s.storeIncoming('A', 1, 'second')).not.toBeNull()
    expect((await s.list('A', 10)).map(m => m.text)).toEqual(['first', 'second'])
  })

  it('applies cumulative acks once, to that peer only', async () => {
    const s = await openStore()
    for (let i = 0; i < 4; i++) await s.appendOutgoing('A', `a${i}`)
    await s.appendOutgoing('B', 'b0')
    const firstAck = await s.acknowledge('A', 2)
    expect(firstAck.map(m => m.seq)).toEqual([0, 1, 2])
    expect(await s.acknowledge('A', 1)).toEqual([])
    expect((await s.list('A', 10)).map(m => m.state)).toEqual(['delivered', 'delivered', 'delivered', 'sending'])
    expect((await s.list('B', 10))[0]?.state).toBe('sending')
  })

  it('ignores acks for sequence numbers never sent', async () => {
    const s = await openStore()
    await s.appendOutgoing('A', 'a0')
    expect(await s.acknowledge('A', 5)).toEqual([])
    expect((await s.acknowledge('A', 0)).map(m => m.seq)).toEqual([0])
  })

  it('keeps a delivered message delivered, and clears an old error on delivery', async () => {
    const s = await openStore()
    const m = await s.appendOutgoing('A', 'x')
    await s.setState(m.id, 'failed', { name: 'DeliveryFailedError', message: 'late', data: {} })
    const [delivered] = await s.acknowledge('A', 0)
    expect(delivered?.state).toBe('delivered')
    expect(delivered?.error).toBeUndefined()
    expect(await s.setState(m.id, 'failed')).toBeNull()
  })

  it('lists the newest messages, oldest first', async () => {
    const s = await openStore()
    for (let i = 0; i < 5; i++) await s.appendOutgoing('A', `m${i}`, 1000 + i)
    expect((await s.list('A', 2)).map(m => m.text)).toEqual(['m3', 'm4'])
  })
})
