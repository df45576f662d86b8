import { describe, expect, it } from 'vitest'
import { messageView } from './message-view.ts'
import type { StoredMessage } from './message-store.ts'

const stored = (seq: number, fields: Partial<StoredMessage> = {}): StoredMessage => ({
  id: `m${seq}`, peerId: 'P', direction: 'out', seq, channel: 'peerlink', kind: 'text', text: 'hi', bytes: 2, at: 1, state: 'queued', expiresAt: 99, ...fields
})

describe('messageView', () => {
  const progress = { ackedOutSeq: 1, sent: (seq: number) => seq === 2 }

  it('derives delivered from the ack and sent from the window, once, for every reader', () => {
    expect([0, 1, 2, 3].map(seq => messageView(stored(seq), progress).state)).toEqual(['delivered', 'delivered', 'sent', 'queued'])
  })

  it('keeps failed and incoming messages as stored', () => {
    expect(messageView(stored(0, { state: 'failed' }), progress).state).toBe('failed')
    expect(messageView(stored(5, { direction: 'in', state: 'received' }), progress).state).toBe('received')
  })

  it('shows pages only the documented fields', () => {
    const view = messageView(stored(3), progress)
    expect(Object.keys(view).sort()).toEqual(['at', 'bytes', 'channel', 'direction', 'id', 'kind', 'peerId', 'seq', 'state', 'text'])
  })

  it('without progress, the stored state stands', () => {
    expect(messageView(stored(0, { state: 'delivered' })).state).toBe('delivered')
    expect(messageView(stored(0)).state).toBe('queued')
  })
})
