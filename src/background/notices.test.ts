import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Notice, Notices, noticeTarget } from './notices.ts'
import { makeMemoryStorage } from './profile/index.ts'

let shown: Map<string, Notice>
let unread: Record<string, number>
let wanted: boolean
let muted: Set<string>
const storage = makeMemoryStorage()
const make = (): Notices => new Notices({
  show: (id, notice) => { shown.set(id, notice) },
  clear: (id) => { shown.delete(id) },
  wanted: async (peerId) => wanted && (peerId == null || !muted.has(peerId)),
  unread: async (peerId) => unread[peerId] ?? 0,
  name: async (peerId) => peerId.toUpperCase(),
  storage,
  delayMs: 1_500,
  log: () => {}
})

beforeEach(() => {
  vi.useFakeTimers()
  shown = new Map()
  unread = {}
  wanted = true
  muted = new Set()
})
afterEach(() => { vi.useRealTimers() })

describe('Notices', () => {
  it('tells a burst once, after it settles, with the unread count and the newest message', async () => {
    const notices = make()
    unread.bob = 1
    notices.received('bob', { kind: 'text', text: 'one' })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(shown.size).toBe(0)
    unread.bob = 2
    notices.received('bob', { kind: 'bytes', text: '' })
    await vi.advanceTimersByTimeAsync(600)
    expect([...shown]).toEqual([['messages/bob', { kind: 'messages', peerId: 'bob', name: 'BOB', count: 2, last: { kind: 'bytes' } }]])
  })

  it('keeps one notice per contact: a later burst replaces it', async () => {
    const notices = make()
    unread = { bob: 1, carol: 1 }
    notices.received('bob', { kind: 'text', text: 'hi' })
    notices.received('carol', { kind: 'text', text: 'hey' })
    await vi.advanceTimersByTimeAsync(1_500)
    unread.bob = 4
    notices.received('bob', { kind: 'text', text: 'again' })
    await vi.advanceTimersByTimeAsync(1_500)
    expect([...shown.keys()].sort()).toEqual(['messages/bob', 'messages/carol'])
    expect(shown.get('messages/bob')).toMatchObject({ count: 4, last: { text: 'again' } })
  })

  it('tells nothing when a page read the burst first, the contact is muted, or notices are off', async () => {
    const notices = make()
    notices.received('bob', { kind: 'text', text: 'read by the open conversation' })
    await vi.advanceTimersByTimeAsync(1_500)
    unread.bob = 1
    notices.received('bob', { kind: 'text', text: 'read before it showed' })
    notices.read('bob')
    await vi.advanceTimersByTimeAsync(1_500)
    muted.add('bob')
    notices.received('bob', { kind: 'text', text: 'muted' })
    await vi.advanceTimersByTimeAsync(1_500)
    wanted = false
    unread.carol = 1
    notices.received('carol', { kind: 'text', text: 'all off' })
    await vi.advanceTimersByTimeAsync(1_500)
    expect(shown.size).toBe(0)
  })

  it('tells each peer\'s connection request once, even after a restart or when it asks again after it was refused', async () => {
    await make().requests(['stranger'])
    expect([...shown.keys()]).toEqual(['request/stranger'])
    const restarted = make()
    await restarted.requests(['stranger', 'another'])
    expect([...shown.keys()]).toEqual(['request/stranger', 'request/another'])
    await restarted.requests(['another'])
    expect([...shown.keys()]).toEqual(['request/another'])
    await restarted.requests(['another', 'stranger'])
    expect([...shown.keys()]).toEqual(['request/another'])
  })

  it('tells a give-up, and takes it back when the person reconnects', async () => {
    const notices = make()
    await notices.gaveUp('bob')
    expect(shown.get('gave-up/bob')).toEqual({ kind: 'gave-up', peerId: 'bob', name: 'BOB' })
    notices.reconnected('bob')
    expect(shown.size).toBe(0)
  })

  it('reads back what a clicked notification is about, and ignores ids not its own', () => {
    expect(noticeTarget('messages/12D3KooWabc')).toEqual({ kind: 'messages', peerId: '12D3KooWabc' })
    expect(noticeTarget('gave-up/x')).toEqual({ kind: 'gave-up', peerId: 'x' })
    expect(noticeTarget('something-else')).toBeUndefined()
  })
})
