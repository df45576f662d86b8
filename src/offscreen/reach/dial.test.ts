import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { describe, expect, it, vi } from 'vitest'
import { openRelayedStream, openWebRTCStream } from './dial.ts'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayRe'
const PEER = '12D3KooWPeerPeerPeerPeerPeerPeerPeerPeerPeerPeerPe'

/** A connection whose streams open at once, or never (a peer that is gone). */
function fakeConnection (openedAt: number, live: boolean): Connection & { abort: ReturnType<typeof vi.fn> } {
  return {
    limits: undefined,
    timeline: { open: openedAt },
    abort: vi.fn(),
    newStream: async (_protocol: string, { signal }: { signal: AbortSignal }) => live
      ? { id: 'stream' } as unknown as Stream
      : await new Promise<Stream>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
  } as unknown as Connection & { abort: ReturnType<typeof vi.fn> }
}

const options = { protocol: '/peerlink/1.0.0', relays: [RELAY], attemptTimeoutMs: 5_000, attempts: 3, log: () => {} }

describe('openWebRTCStream', () => {
  it('aborts a reused connection that cannot open a stream, and dials anew', async () => {
    const dead = fakeConnection(Date.now() - 60_000, false)
    const fresh = fakeConnection(Date.now() + 1, true)
    // libp2p hands back the existing connection until it is closed.
    const dial = vi.fn(async () => dead.abort.mock.calls.length > 0 ? fresh : dead)
    // An attempt may take a minute; only the short bound on a reused connection lets this finish in the test's time.
    const { connection } = await openWebRTCStream({ dial } as unknown as Libp2p, PEER, { ...options, attemptTimeoutMs: 60_000 })
    expect(connection).toBe(fresh)
    expect(dead.abort).toHaveBeenCalledOnce()
    expect(dial).toHaveBeenCalledTimes(2)
  })

  it('uses a live reused connection as it is', async () => {
    const live = fakeConnection(Date.now() - 60_000, true)
    const { connection } = await openWebRTCStream({ dial: async () => live } as unknown as Libp2p, PEER, options)
    expect(connection).toBe(live)
    expect(live.abort).not.toHaveBeenCalled()
  })

  it('leaves a connection alone when the peer refuses the stream', async () => {
    const refusing = fakeConnection(Date.now() - 60_000, true)
    refusing.newStream = async () => { throw Object.assign(new Error('protocol selection failed'), { name: 'UnsupportedProtocolError' }) }
    await expect(openWebRTCStream({ dial: async () => refusing } as unknown as Libp2p, PEER, { ...options, attempts: 1 })).rejects.toThrow(/protocol selection failed/)
    expect(refusing.abort).not.toHaveBeenCalled()
  })

  it('says that a relay is needed when there is none to go through', async () => {
    await expect(openWebRTCStream({} as unknown as Libp2p, PEER, { ...options, relays: [] })).rejects.toMatchObject({ name: 'NoRelayError', data: { peerId: PEER } })
  })
})

describe('openRelayedStream', () => {
  // Looked up among open connections by its peer id, so it must be a real one.
  const PEER = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'

  it('opens the stream on the connection already open to the peer, limited or not, without dialing', async () => {
    const relayed = Object.assign(fakeConnection(Date.now() - 60_000, true), { status: 'open', limits: { bytes: 1000n } })
    const newStream = vi.spyOn(relayed, 'newStream')
    const dial = vi.fn()
    const { connection } = await openRelayedStream({ dial, getConnections: () => [relayed] } as unknown as Libp2p, PEER, options)
    expect(connection).toBe(relayed)
    expect(dial).not.toHaveBeenCalled()
    expect(newStream).toHaveBeenCalledWith('/peerlink/1.0.0', expect.objectContaining({ runOnLimitedConnection: true }))
  })

  it('dials a circuit through each relay in turn when none is open, and takes the limited connection', async () => {
    const relayed = Object.assign(fakeConnection(Date.now() + 1, true), { limits: { bytes: 1000n } })
    const dialed: string[] = []
    const other = '/ip4/198.18.0.2/tcp/9090/ws/p2p/12D3KooWOtherOtherOtherOtherOtherOtherOtherOtherOt'
    const dial = vi.fn(async (address: { toString: () => string }) => {
      dialed.push(address.toString())
      if (dialed.length === 1) throw Object.assign(new Error('failed to connect via relay with status NO_RESERVATION'), { name: 'InvalidMessageError' })
      return relayed
    })
    const { connection } = await openRelayedStream({ dial, getConnections: () => [] } as unknown as Libp2p, PEER, { ...options, relays: [RELAY, other] })
    expect(connection).toBe(relayed)
    expect(dialed).toEqual([`${RELAY}/p2p-circuit/p2p/${PEER}`, `${other}/p2p-circuit/p2p/${PEER}`])
  })
})
