/**
 * `node --import tsx e2e/support/network/ice-probe.ts RELAY_MULTIADDR`: what a browser
 * behind a NAT gets from its relay, done by a libp2p node in Node. It reserves
 * a slot on the relay, asks `/peerlink/ice/1.0.0`, then uses the answer: a
 * STUN Binding on the offered stun: URL and a TURN Allocate with the offered
 * credential. Prints one JSON line. Run inside a test's namespace.
 */
import '../../../relay/polyfills.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { WebSocket as NodeWebSocket } from 'ws'
import { requestIceOffer } from '../../../src/common/wire/ice-protocol.ts'
import { openUdpSocket, stunBinding, turnAllocate } from './stun-client.ts'

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

const relay = process.argv[2]
if (relay == null) throw new Error('usage: ice-probe.ts RELAY_MULTIADDR')

const node = await createLibp2p({
  addresses: { listen: ['/p2p-circuit'] },
  transports: [webSockets(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionGater: { denyDialMultiaddr: () => false },
  services: { identify: identify() }
})
try {
  await node.dial(multiaddr(relay), { signal: AbortSignal.timeout(10_000) })
  const deadline = Date.now() + 10_000
  while (!node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) {
    if (Date.now() > deadline) throw new Error('no reservation on the relay within 10 s')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const offer = await requestIceOffer(node, multiaddr(relay), { signal: AbortSignal.timeout(10_000) })
  const result: Record<string, unknown> = { peerId: node.peerId.toString(), offer }
  const socket = await openUdpSocket()
  try {
    for (const server of offer.servers) {
      const url = server.urls[0] ?? ''
      const match = /^(stun|turn):([\d.]+):(\d+)/.exec(url)
      if (match == null) continue
      const endpoint = { host: match[2]!, port: Number(match[3]) }
      if (match[1] === 'stun') {
        result.stunMapped = await stunBinding(socket, endpoint)
      } else {
        const allocation = await turnAllocate(socket, endpoint, server.username ?? '', server.credential ?? '')
        result.turnRelayed = allocation.relayed
        result.turnMapped = allocation.mapped
        await allocation.release()
      }
    }
  } finally {
    socket.close()
  }
  console.log(JSON.stringify(result))
} finally {
  await node.stop()
}
