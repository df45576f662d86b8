import { describe, expect, it } from 'vitest'
import { freshCounters } from '../../common/counters.ts'
import type { NodeInfo, PeerConnectionInfo } from '../../link/apis.ts'
import { peerState, peerView, statusView, type PeerFacts } from './peer-view.ts'
import { DEFAULT_SETTINGS } from '../profile/index.ts'

const open = { closedBy: null, gaveUp: false, nextAttemptAt: null }
const live = (state: PeerConnectionInfo['state'], fields: Partial<PeerConnectionInfo> = {}): PeerConnectionInfo =>
  ({ state, connection: null, dialAttempts: 2, bufferedBytes: 0, rttMs: 3, rttHistoryMs: [3], ...fields })

describe('peerState', () => {
  it('puts the user\'s and the policy\'s decisions before the wire', () => {
    expect(peerState({ ...open, closedBy: 'remote', gaveUp: true }, live('connected'))).toBe('closed')
    expect(peerState({ ...open, gaveUp: true }, live('connected'))).toBe('given-up')
  })

  it('says reconnecting while an attempt is due and the peer is not connected', () => {
    expect(peerState({ ...open, nextAttemptAt: 5 }, live('failed'))).toBe('reconnecting')
    expect(peerState({ ...open, nextAttemptAt: 5 }, live('connected'))).toBe('connected')
  })

  it('otherwise says what the node says, or idle when it says nothing', () => {
    expect(peerState(open, live('connecting'))).toBe('connecting')
    expect(peerState(open, undefined)).toBe('idle')
  })
})

describe('peerView', () => {
  const facts = (fields: Partial<PeerFacts> = {}): PeerFacts => ({
    contact: { peerId: 'P', name: 'Pat', addedAt: 1, lastSeen: 100 },
    live: live('connected', { lastError: 'x' }),
    policy: open,
    pending: { messages: 1, bytes: 5 },
    inFlightBytes: 5,
    unread: 2,
    paused: false,
    ...fields
  })

  it('shows a connected peer as seen now, with its round trip', () => {
    const view = peerView(facts(), 999)
    expect(view).toMatchObject({ peerId: 'P', name: 'Pat', state: 'connected', lastSeen: 999, rttMs: 3, unread: 2, lastError: 'x' })
    expect(view.nextAttemptAt).toBeUndefined()
  })

  it('says when the peer asked us to hold our messages', () => {
    expect(peerView(facts({ paused: true }), 999).paused).toBe('storage-full')
    expect(peerView(facts(), 999).paused).toBeUndefined()
  })

  it('shows a disconnected peer with when it was last seen and its next attempt, and no round trip', () => {
    const view = peerView(facts({ live: live('failed'), policy: { ...open, nextAttemptAt: 1234 } }), 999)
    expect(view).toMatchObject({ state: 'reconnecting', lastSeen: 100, rttMs: null, nextAttemptAt: 1234 })
  })

  it('says when an unused connection was let go, only while it stays down', () => {
    expect(peerView(facts({ live: live('idle', { restedAt: 500 }) }), 999)).toMatchObject({ state: 'idle', restedAt: 500 })
    expect(peerView(facts({ live: live('connected', { restedAt: 500 }) }), 999).restedAt).toBeUndefined()
  })
})

describe('statusView', () => {
  it('stands in the configured relays until the node reports', () => {
    const settings = { ...DEFAULT_SETTINGS, relays: ['/ip4/127.0.0.1/tcp/1/ws/p2p/R'] }
    const status = statusView('me', settings, { connected: false, epoch: -1, firstCallAfterStartMs: null }, undefined, [])
    expect(status).toMatchObject({ peerId: 'me', node: 'starting', connections: 0, relays: [{ address: settings.relays[0], state: 'connecting' }] })
    expect(status.nodeError).toBeUndefined()
  })

  const link = { connected: true, epoch: 1, firstCallAfterStartMs: null }
  const node = (iceServers: NodeInfo['iceServers']): NodeInfo => ({
    peerId: 'me', state: 'running', addresses: [], relays: [], peers: {}, connections: 0, requests: [], counters: freshCounters(), startedAt: 1, iceServers
  })
  const userServers = { ...DEFAULT_SETTINGS, iceServers: [{ urls: ['turn:t.example:3478'], username: 'u', credential: 'secret' }] }

  it('shows the user\'s ICE servers, without their credentials, until the node reports', () => {
    expect(statusView('me', userServers, link, undefined, []).iceServers).toEqual([{ urls: ['turn:t.example:3478'], source: 'user' }])
    expect(JSON.stringify(statusView('me', userServers, link, undefined, []))).not.toContain('secret')
    expect(statusView('me', DEFAULT_SETTINGS, link, undefined, []).iceServers).toEqual([])
  })

  it('then shows what the node uses, with the relay that offered it, and never a credential it carried', () => {
    const offered = [{ urls: ['stun:198.18.0.1:3478'], source: 'relay' as const, relay: '/ip4/198.18.0.1/tcp/9090/ws/p2p/R' }]
    expect(statusView('me', userServers, link, node(offered), []).iceServers).toEqual(offered)
    const leaky = [{ urls: ['turn:t.example:3478'], source: 'user' as const, credential: 'secret' } as never]
    const status = statusView('me', userServers, link, node(leaky), [])
    expect(status.iceServers).toEqual([{ urls: ['turn:t.example:3478'], source: 'user' }])
    expect(JSON.stringify(status)).not.toContain('secret')
  })
})
