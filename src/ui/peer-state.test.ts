import { beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionView, PeerView } from '../api/protocol.ts'
import { describePeerState } from './peer-state.ts'

beforeAll(() => {
  // The page's text comes from chrome.i18n; here each key stands for its text.
  globalThis.chrome = { i18n: { getMessage: (key: string) => key } } as unknown as typeof chrome
})

const connected = (route: ConnectionView['route']): PeerView => ({
  peerId: 'P', name: 'Pat', state: 'connected', lastSeen: 1, pending: { messages: 0, bytes: 0 }, dialAttempts: 1,
  bufferedBytes: 0, inFlightBytes: 0, unread: 0, muted: false, rttMs: 1, rttHistoryMs: [], mailbox: { token: false },
  connection: { transport: route === 'relay' ? 'circuit-relay' : 'webrtc', route, direct: route === 'direct', remoteAddr: '/ip4/192.0.2.1/udp/1' }
})

describe('describePeerState', () => {
  it('says how the bytes of a connection flow, from its route', () => {
    expect(describePeerState(connected('direct'))).toEqual({ text: 'peerDirect', tone: 'ok' })
    expect(describePeerState(connected('turn'))).toEqual({ text: 'peerTurn', tone: 'ok' })
    expect(describePeerState(connected('relay'))).toEqual({ text: 'peerRelayed', tone: 'busy' })
  })

  it('says what the peer waits for when it is not connected', () => {
    expect(describePeerState({ ...connected('direct'), state: 'failed', connection: null }).text).toBe('peerFailed')
  })

  it('tells a connection let go for being unused from one never made or lost', () => {
    const idle = { ...connected('direct'), state: 'idle' as const, connection: null }
    expect(describePeerState({ ...idle, restedAt: 5 })).toEqual({ text: 'peerResting', tone: 'idle' })
    expect(describePeerState(idle)).toEqual({ text: 'peerIdle', tone: 'idle' })
  })
})
