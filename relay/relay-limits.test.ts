import './polyfills.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Stream } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { parseRelayFlags } from './flags.ts'
import { runRelay, type RunningRelay } from './run.ts'

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

const PROTOCOL = '/relay-limits-test/1.0.0'

async function startPeer (reserve: boolean): Promise<Libp2p> {
  return await createLibp2p({
    // Listening on /p2p-circuit makes libp2p reserve a slot on the relay it connects to, as the browsers do.
    addresses: { listen: reserve ? ['/p2p-circuit'] : [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
}

/** Resolves with how `stream` ended: the error's name, or 'clean'. */
async function ending (stream: Stream, timeoutMs: number): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`the relayed stream was still open after ${timeoutMs} ms`)) }, timeoutMs)
    stream.addEventListener('close', (event) => {
      clearTimeout(timer)
      resolve((event as Event & { error?: Error }).error?.name ?? 'clean')
    }, { once: true })
  })
}

describe('a relay started with --max-relay-seconds', () => {
  let relay: RunningRelay | undefined
  const peers: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
    await relay?.stop()
  })

  it('ends a relayed connection at its duration limit, on both sides as a clean close of its streams', async () => {
    const config = parseRelayFlags(['--port', '0', '--key-file', '', '--max-relay-seconds', '1'])
    if (config === 'help') throw new Error('unexpected help')
    relay = await runRelay(config)
    expect(relay.describe()).toContain('limits: 16777216 bytes, 1 s per relayed connection; 1024 reservations, 1280 connections, 32 per IP address')
    const address = relay.node.getMultiaddrs()[0]!.toString()

    const [listener, dialer] = await Promise.all([startPeer(true), startPeer(false)])
    peers.push(listener, dialer)
    const accepted = Promise.withResolvers<Stream>()
    await listener.handle(PROTOCOL, (stream) => { accepted.resolve(stream) }, { runOnLimitedConnection: true })
    await listener.dial(multiaddr(address))
    const deadline = Date.now() + 10_000
    while (!listener.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) {
      if (Date.now() > deadline) throw new Error('no reservation on the relay')
      await new Promise(resolve => setTimeout(resolve, 50))
    }

    const stream = await dialer.dialProtocol(multiaddr(`${address}/p2p-circuit/p2p/${listener.peerId.toString()}`), PROTOCOL, { runOnLimitedConnection: true })
    const remote = await accepted.promise
    // Both ends see the relay end it (far less than the 10 s waited), cleanly: Peerlink then dials again.
    const [atDialer, atListener] = await Promise.all([ending(stream, 10_000), ending(remote, 10_000)])
    expect([atDialer, atListener]).toEqual(['clean', 'clean'])
    expect(dialer.getConnections(listener.peerId).filter(c => c.status === 'open')).toEqual([])
  }, 30_000)
})
