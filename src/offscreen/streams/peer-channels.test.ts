import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { FRAME_COST_BYTES } from '../../common/constants.ts'
import type { MessageFrame } from '../../link/apis.ts'
import { InboundBudget } from './inbound-budget.ts'
import { PeerChannels, type ChannelSink } from './peer-channels.ts'
import { PeerGate, RelayPool } from '../reach/index.ts'

/** The worker's side of the link, as far as a peer's channels see it: it stores what it is given and acks all of it. */
interface FakeWorker extends ChannelSink {
  delivered: number[][]
  acks: number[]
  /** Calls to `deliver` wait on these, one per call, while any are queued. */
  holds: Array<Promise<void>>
  /** What arrived from the peer, in order: 'hello', or the sequence numbers of a batch. */
  arrivals: string[]
  /** `ourHello` waits on this while it is set. */
  holdHello?: Promise<void>
  /** The addresses each HELLO from the peer came with, as handed to the worker. */
  helloAddresses: string[][]
  /** Peers whose stream was lost, and those whose stream ended because an idle connection was let go. */
  lost: string[]
  rested: string[]
}

function fakeWorker (): FakeWorker {
  const worker: FakeWorker = {
    delivered: [],
    acks: [],
    holds: [],
    arrivals: [],
    helloAddresses: [],
    lost: [],
    rested: [],
    deliver: async (_peerId, frames) => {
      worker.delivered.push(frames.map(f => f.seq))
      worker.arrivals.push(frames.map(f => f.seq).join(','))
      await worker.holds.shift()
      return frames.at(-1)!.seq
    },
    acked: async (_peerId, seq) => { worker.acks.push(seq) },
    skipTo: async (_peerId, seq) => seq,
    peerHello: async (_peerId, hello) => {
      worker.arrivals.push('hello')
      worker.helloAddresses.push(hello.addresses)
    },
    ourHello: async () => {
      await worker.holdHello
      return { incarnation: 'ab'.repeat(16), peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0 }
    },
    peerPaused: async () => {},
    peerAddresses: async () => {},
    peerClosed: async () => {},
    streamLost: async (peerId) => { worker.lost.push(peerId) },
    streamRested: async (peerId) => { worker.rested.push(peerId) },
    unknownPeerAccepted: async () => {},
    changed: () => {}
  }
  return worker
}

interface Peer {
  id: string
  channels: PeerChannels
  worker: FakeWorker
  budget: InboundBudget
  gate: PeerGate
  /** Streams this peer opened, in order, by the peer they go to. */
  opened: Array<{ to: string, outbound: Stream, inbound: Stream }>
  /** Dials from this peer wait on this while it is set. */
  holdDials?: Promise<void>
  /** WebRTC dials from this peer fail (ICE cannot connect); relayed ones work. */
  webrtcFails?: boolean
  /** Connections libp2p lists as open, besides the ones dials open. */
  open: Connection[]
  /** What this peer's HELLO says it can be reached at. */
  ownAddresses: string[]
  /** Dials wait on this while it is set, as on a fresh node's first ICE offer. */
  iceHold?: Promise<void>
  /** How long a stream may go unused before its connection is let go; how long silent before it is dead. */
  idleMs: number
  inactivityMs: number
  /** Peers this node hung up on. */
  hungUp: string[]
}

const network = new Map<string, Peer>()
let relay: string

/** The libp2p connection each end reads its peer from; the bytes go through a real stream pair. */
function connectionTo (peerId: string, newStream?: Connection['newStream'], relayed = false): Connection {
  return {
    remotePeer: { toString: () => peerId },
    status: 'open',
    remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1'),
    direct: !relayed,
    // A relayed connection carries the relay's limits.
    limits: relayed ? { bytes: 131_072n } : undefined,
    close: async () => {},
    // Opened after every dial attempt began: a fresh connection, not a reused one.
    timeline: { open: Number.MAX_SAFE_INTEGER },
    abort: () => {},
    newStream
  } as unknown as Connection
}

/** A libp2p node whose dials open a stream pair to the peer at once (or when the test lets them), as libp2p would. */
function fakeNode (self: PeerId): Libp2p {
  return {
    peerId: self,
    hangUp: async (peer: PeerId) => { network.get(self.toString())?.hungUp.push(peer.toString()) },
    // No connection a dial opened stays listed here: a relayed fallback would dial anew.
    getConnections: (peer?: PeerId) => (network.get(self.toString())?.open ?? []).filter(c => peer == null || c.remotePeer.toString() === peer.toString()),
    dial: async (address: Multiaddr) => {
      const remote = network.get(address.getComponents().findLast(c => c.code === CODE_P2P)!.value!)!
      const from = network.get(self.toString())!
      const webrtc = address.toString().includes('/webrtc/')
      if (webrtc && from.webrtcFails === true) throw Object.assign(new Error('ICE failed'), { name: 'ConnectionFailedError' })
      return connectionTo(remote.id, async () => {
        await from.holdDials
        const [outbound, inbound] = await streamPair()
        from.opened.push({ to: remote.id, outbound, inbound })
        // The remote's protocol handler gets its end as the dialer gets the other.
        void remote.channels.handleInbound(inbound, connectionTo(from.id, undefined, !webrtc))
        return outbound
      }, !webrtc)
    }
  } as unknown as Libp2p
}

const ids: PeerId[] = []

beforeAll(async () => {
  for (let i = 0; i < 3; i++) ids.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
  relay = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${ids.pop()!.toString()}`
  ids.sort((a, b) => a.toString() < b.toString() ? -1 : 1)
})

function makePeer (self: PeerId, contact: PeerId): Peer {
  const worker = fakeWorker()
  const budget = new InboundBudget(1024 * 1024)
  const gate = new PeerGate(() => [], () => {})
  gate.configure({ allowedPeers: [contact.toString()], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: 100 })
  const channels = new PeerChannels({
    node: fakeNode(self),
    sink: worker,
    relays: [relay],
    pool: new RelayPool(16, 2),
    budget,
    gate,
    ownAddresses: () => peer.ownAddresses,
    maxMessageBytes: () => 1024,
    stuckMs: () => 60_000,
    writeTimeoutMs: () => 2_000,
    inactivityTimeoutMs: () => peer.inactivityMs,
    idleConnectionMs: () => peer.idleMs,
    sweepIntervalMs: 50,
    dialTimeoutMs: 5_000,
    dialAttempts: 1,
    iceServersKnown: async () => { await peer.iceHold },
    log: () => {}
  })
  const peer: Peer = { id: self.toString(), channels, worker, budget, gate, opened: [], open: [], ownAddresses: [], idleMs: 300_000, inactivityMs: 120_000, hungUp: [] }
  network.set(peer.id, peer)
  return peer
}

/** Two peers that know each other: `smaller` has the smaller peer id. */
function twoPeers (): { smaller: Peer, larger: Peer } {
  return { smaller: makePeer(ids[0]!, ids[1]!), larger: makePeer(ids[1]!, ids[0]!) }
}

const frames = (...seqs: number[]): MessageFrame[] => seqs.map(seq => ({ seq, id: `m${seq}`, body: new Uint8Array(10).fill(seq), channel: 'peerlink', kind: 'text' }))

/** Whether both ends of a stream pair are still open for writing. */
const writable = (pair: { outbound: Stream, inbound: Stream }): boolean =>
  pair.outbound.writeStatus === 'writable' && pair.inbound.writeStatus === 'writable'

afterEach(async () => {
  const peers = [...network.values()]
  network.clear()
  for (const peer of peers) peer.channels.stop()
  await Promise.all(peers.map(async peer => { await peer.channels.closeAll() }))
})

describe('PeerChannels', () => {
  it('closes a peer\'s relayed connection once a stream runs on a direct one (libp2p counts both against its limit)', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    const closed: string[] = []
    const watched = (connection: Connection, name: string): Connection => Object.assign(connection, { close: async () => { closed.push(name) } })
    const relayed = watched(connectionTo(bob.id, undefined, true), 'relayed')
    const direct = watched(connectionTo(bob.id), 'direct')
    const otherPeers = watched(connectionTo(relay.split('/p2p/')[1]!, undefined, true), 'relay')
    alice.open.push(relayed, direct, otherPeers)
    const [, inbound] = await streamPair()
    await alice.channels.handleInbound(inbound, direct)
    await vi.waitFor(() => { expect(alice.channels.snapshot()[bob.id]?.state).toBe('connected') })
    expect(closed).toEqual(['relayed'])
  })

  it('a connect waiting on its dial takes the peer\'s inbound stream as soon as it arrives', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    let letDialGo!: () => void
    alice.holdDials = new Promise(resolve => { letDialGo = resolve })
    let connected = false
    const connecting = alice.channels.connect(bob.id).then(() => { connected = true })
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(connected).toBe(false)
    expect(alice.channels.snapshot()[bob.id]?.state).toBe('connecting')

    await bob.channels.connect(alice.id)
    await vi.waitFor(() => { expect(connected).toBe(true) })
    expect(alice.opened).toEqual([])
    expect(alice.channels.snapshot()[bob.id]?.state).toBe('connected')
    await alice.channels.sendMessages(bob.id, frames(0))
    await vi.waitFor(() => { expect(bob.worker.delivered).toEqual([[0]]) })

    letDialGo()
    await connecting
    await vi.waitFor(() => { expect(alice.opened).toHaveLength(1) })
  })

  it.each(['smaller', 'larger'] as const)('when the %s peer\'s dial ends after the other\'s stream arrived, both ends keep the stream the smaller peer opened', async (late) => {
    const peers = twoPeers()
    const waiting = peers[late]
    const other = late === 'smaller' ? peers.larger : peers.smaller
    let letDialGo!: () => void
    waiting.holdDials = new Promise(resolve => { letDialGo = resolve })
    const connecting = waiting.channels.connect(other.id)
    await other.channels.connect(waiting.id)
    await connecting
    letDialGo()
    await vi.waitFor(() => { expect(waiting.opened).toHaveLength(1) })

    const kept = peers.smaller.opened[0]!
    const dropped = peers.larger.opened[0]!
    // Each end closes the other stream cleanly, so it ends on both sides.
    await vi.waitFor(() => {
      expect(dropped.outbound.status).toBe('closed')
      expect(dropped.inbound.status).toBe('closed')
    })
    expect(writable(kept)).toBe(true)
    expect(peers.smaller.channels.connectedPeers()).toEqual([peers.larger.id])
    expect(peers.larger.channels.connectedPeers()).toEqual([peers.smaller.id])

    // Both directions go over the stream both ends kept.
    await peers.smaller.channels.sendMessages(peers.larger.id, frames(0))
    await peers.larger.channels.sendMessages(peers.smaller.id, frames(0, 1))
    await vi.waitFor(() => {
      expect(peers.larger.worker.delivered.flat()).toEqual([0])
      expect(peers.smaller.worker.delivered.flat()).toEqual([0, 1])
    })
  })

  it('goes through the relay when WebRTC cannot connect, and a direct stream then replaces the relayed one whoever opened it', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    alice.webrtcFails = true
    await alice.channels.connect(bob.id)
    expect(alice.channels.snapshot()[bob.id]?.connection?.route).toBe('relay')
    const relayed = alice.opened[0]!
    await vi.waitFor(() => { expect(bob.channels.snapshot()[alice.id]?.connection?.route).toBe('relay') })

    // Bob reaches Alice directly. By the tie-break alone Alice's stream would stay (hers is the smaller id).
    const [outbound, inbound] = await streamPair()
    await alice.channels.handleInbound(inbound, connectionTo(bob.id))
    expect(alice.channels.snapshot()[bob.id]?.connection?.route).toBe('direct')
    await vi.waitFor(() => { expect(writable(relayed)).toBe(false) })
    expect(outbound.writeStatus).toBe('writable')
  })

  it('hands a burst to the worker as one batch and acks it once, cumulatively', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    await alice.channels.connect(bob.id)
    let finishFirst!: () => void
    bob.worker.holds.push(new Promise(resolve => { finishFirst = resolve }))
    await alice.channels.sendMessages(bob.id, frames(0))
    // The worker is still storing 0 while 1 to 5 arrive.
    await vi.waitFor(() => { expect(bob.worker.delivered).toEqual([[0]]) })
    await alice.channels.sendMessages(bob.id, frames(1, 2, 3, 4, 5))
    // Six frames of 10 bytes held: the one being stored and the five behind it.
    await vi.waitFor(() => { expect(bob.budget.used).toBe(6 * (10 + FRAME_COST_BYTES)) })
    finishFirst()
    await vi.waitFor(() => { expect(alice.worker.acks).toEqual([5]) })
    expect(bob.worker.delivered).toEqual([[0], [1, 2, 3, 4, 5]])
    // No second ack follows for what the first already covered.
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(alice.worker.acks).toEqual([5])
  })

  it('lets an unused connection go: QUIET, both ends closed as rested (not lost) and hung up; keepalives do not count as use, and the next connect opens a new stream', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    // Keepalives every 100 ms keep the stream alive, and are no use of it.
    alice.inactivityMs = bob.inactivityMs = 300
    await alice.channels.connect(bob.id)
    await alice.channels.sendMessages(bob.id, frames(0))
    await vi.waitFor(() => { expect(bob.worker.delivered).toEqual([[0]]) })
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(alice.channels.connectedPeers()).toEqual([bob.id])

    alice.idleMs = 200
    await vi.waitFor(() => {
      expect(alice.worker.rested).toEqual([bob.id])
      expect(bob.worker.rested).toEqual([alice.id])
    })
    expect([alice.worker.lost, bob.worker.lost]).toEqual([[], []])
    expect(alice.hungUp).toEqual([bob.id])
    expect(bob.hungUp).toEqual([alice.id])
    expect(alice.channels.snapshot()[bob.id]).toMatchObject({ state: 'idle', restedAt: expect.any(Number) })
    expect(bob.channels.snapshot()[alice.id]).toMatchObject({ state: 'idle', restedAt: expect.any(Number) })
    await expect(bob.channels.sendMessages(alice.id, frames(0))).rejects.toThrow(/no open stream/)

    // Whoever has something to say dials, the side that let go too: a new stream, and the conversation goes on.
    alice.idleMs = 300_000
    await alice.channels.connect(bob.id)
    await alice.channels.sendMessages(bob.id, frames(1))
    await vi.waitFor(() => { expect(bob.worker.delivered).toEqual([[0], [1]]) })
    expect(bob.channels.snapshot()[alice.id]?.state).toBe('connected')
    expect(bob.channels.snapshot()[alice.id]?.restedAt).toBeUndefined()
  })

  it('refuses a send when no stream is open, without dialing', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    await expect(alice.channels.sendMessages(bob.id, frames(0))).rejects.toMatchObject({ name: 'NotConnectedError', data: { peerId: bob.id } })
    expect(alice.opened).toEqual([])
  })

  it('keeps what it knows of a peer closed on purpose, and forgets a removed one entirely', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    await alice.channels.connect(bob.id)
    expect(alice.channels.snapshot()[bob.id]).toMatchObject({ state: 'connected', dialAttempts: 1 })
    await alice.channels.closePeer(bob.id)
    // Closed on purpose: no longer allowed, but its history stays (it shows, and counts on).
    alice.gate.configure({ allowedPeers: [], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: 100 })
    alice.channels.allowedChanged()
    alice.gate.configure({ allowedPeers: [bob.id], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: 100 })
    expect(alice.channels.snapshot()[bob.id]).toMatchObject({ dialAttempts: 1 })
    // Removed (the worker asks the node to forget it): added again later, it starts with a clean slate.
    alice.channels.forget([bob.id])
    alice.gate.configure({ allowedPeers: [bob.id], relayPeers: [], relayAddresses: [], acceptUnknownPeers: false, maxConnections: 100 })
    expect(alice.channels.snapshot()[bob.id]).toEqual({ state: 'idle', connection: null, dialAttempts: 0, bufferedBytes: 0 })
  })

  it('starts a dial only once WebRTC has its ICE servers (a fresh node\'s first offer), then goes on', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    let known!: () => void
    alice.iceHold = new Promise(resolve => { known = resolve })
    const connecting = alice.channels.connect(bob.id)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(alice.channels.snapshot()[bob.id]).toMatchObject({ state: 'connecting', dialAttempts: 0 })
    expect(alice.opened).toEqual([])
    known()
    await connecting
    expect(alice.opened).toHaveLength(1)
    expect(alice.channels.snapshot()[bob.id]).toMatchObject({ state: 'connected', dialAttempts: 1 })
  })

  it('hands the worker only the HELLO addresses a browser can use, and counts the rest', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    const relayId = relay.slice(relay.lastIndexOf('/p2p/') + 5)
    const usable = `/ip4/198.18.0.1/tcp/9090/ws/p2p/${relayId}/p2p-circuit/p2p/${alice.id}`
    alice.ownAddresses = [
      usable,
      // Its own direct address on this machine, a relay over TCP, a circuit naming someone else, junk.
      `/ip4/127.0.0.1/tcp/22/ws/p2p/${alice.id}`,
      `/ip4/198.18.0.1/tcp/4001/p2p/${relayId}/p2p-circuit/p2p/${alice.id}`,
      `${relay}/p2p-circuit/p2p/${bob.id}`,
      'not an address'
    ]
    await alice.channels.connect(bob.id)
    await vi.waitFor(() => { expect(bob.worker.helloAddresses).toHaveLength(1) })
    expect(bob.worker.helloAddresses[0]).toEqual([usable])
    expect(bob.gate.counters.refusedAddresses).toBe(4)
  })

  it('writes no message on a new stream before its HELLO, which says whose conversation they belong to', async () => {
    const { smaller: alice, larger: bob } = twoPeers()
    let sayHello!: () => void
    alice.worker.holdHello = new Promise(resolve => { sayHello = resolve })
    await alice.channels.connect(bob.id)
    const sending = alice.channels.sendMessages(bob.id, frames(0, 1))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(bob.worker.arrivals.filter(a => a !== 'hello')).toEqual([])
    sayHello()
    await sending
    await vi.waitFor(() => { expect(bob.worker.delivered.flat()).toEqual([0, 1]) })
    expect(bob.worker.arrivals[0]).toBe('hello')
  })
})
