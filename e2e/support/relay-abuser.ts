/**
 * One host abusing a relay, as a separate process so its CPU is not the
 * relay's or the test's: from one local address it opens 200 libp2p
 * WebSockets that never finish their handshake (then drops them), 200 libp2p
 * connections that each ask for a reservation, an ICE-offer loop and a STUN
 * flood. Prints one
 * line of JSON: what it got.
 *
 *   node --import tsx e2e/support/relay-abuser.ts RELAY_WS_MULTIADDR STUN_PORT SOURCE_ADDRESS
 */
import { startClient } from '../../relay/test-clients.ts'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { WebSocket as NodeWebSocket } from 'ws'
import { requestIceOffer } from '../../src/common/wire/ice-protocol.ts'

const [relayAddress, stunPortText, source] = process.argv.slice(2)
if (relayAddress == null || stunPortText == null || source == null) throw new Error('usage: relay-abuser.ts RELAY_WS_MULTIADDR STUN_PORT SOURCE_ADDRESS')
const relay = multiaddr(relayAddress)
const components = relay.getComponents()
const host = components.find(c => c.name === 'ip4')?.value ?? '127.0.0.1'
const port = components.find(c => c.name === 'tcp')?.value

// Every socket of this process leaves from `source`, so the relay sees one host.
class FromSource extends NodeWebSocket {
  constructor (url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { localAddress: source })
  }
}
globalThis.WebSocket = FromSource as unknown as typeof WebSocket

const CONNECTIONS = 200
const STALLED = 100
const ICE_ASKS = 200
const STUN_REQUESTS = 5_000

const report = { connected: 0, refused: 0, reserved: 0, stalledOpened: 0, iceAnswered: 0, iceRefused: 0, stunSent: 0, stunAnswered: 0 }

// Handshakes that never finish: WebSockets that never speak.
const stalled: NodeWebSocket[] = []
await Promise.all(Array.from({ length: STALLED }, async () => {
  const ws = new NodeWebSocket(`ws://${host}:${port}`, { localAddress: source })
  stalled.push(ws)
  ws.on('error', () => {})
  const opened = await Promise.race([once(ws, 'open').then(() => true), once(ws, 'close').then(() => false)]).catch(() => false)
  if (opened) report.stalledOpened += 1
}))

// Given up: a host that leaves frees its share.
for (const ws of stalled) ws.terminate()
await new Promise(resolve => setTimeout(resolve, 1_000))

// 200 peers, each a connection and a reservation request.
const peers: Libp2p[] = []
for (let i = 0; i < CONNECTIONS; i++) {
  const node = await startClient(true)
  peers.push(node)
  try {
    await node.dial(relay, { signal: AbortSignal.timeout(5_000) })
    report.connected += 1
  } catch {
    report.refused += 1
  }
}
await new Promise(resolve => setTimeout(resolve, 2_000))
report.reserved = peers.filter(p => p.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))).length

// An ICE-offer loop from one connected peer.
const asker = peers.find(p => p.getConnections().length > 0)
for (let i = 0; asker != null && i < ICE_ASKS; i++) {
  try {
    await requestIceOffer(asker, relay, { signal: AbortSignal.timeout(5_000) })
    report.iceAnswered += 1
  } catch (err) {
    if ((err as Error).name === 'IceOfferRefusedError') report.iceAnswered += 1
    else report.iceRefused += 1
  }
}

// A STUN flood: Binding Requests as fast as the socket takes them.
const udp = createSocket('udp4')
udp.bind(0, source)
await once(udp, 'listening')
udp.on('message', () => { report.stunAnswered += 1 })
const request = Buffer.alloc(20)
request.writeUInt16BE(0x0001, 0)
request.writeUInt32BE(0x2112a442, 4)
for (let i = 0; i < STUN_REQUESTS; i++) {
  request.writeUInt32BE(i, 16)
  udp.send(request, Number(stunPortText), host)
  report.stunSent += 1
  if (i % 100 === 99) await new Promise(resolve => setImmediate(resolve))
}
await new Promise(resolve => setTimeout(resolve, 1_000))
udp.close()

await Promise.all(peers.map(async p => { await p.stop() }))
console.log(JSON.stringify(report))
