/** Node libp2p peers that reach a relay as browsers do, for the relay's tests. */
import './polyfills.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { WebSocket as NodeWebSocket } from 'ws'

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

/** A peer over WebSockets; with `reserve`, it listens on /p2p-circuit, so libp2p reserves a slot on the relay it connects to, as the browsers do. */
export async function startClient (reserve: boolean): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: reserve ? ['/p2p-circuit'] : [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
}

/** Waits until `predicate` holds; fails naming `what`. */
export async function waitFor (predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
