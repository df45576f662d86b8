/**
 * A child process of the relay bench: holds `count` Node libp2p peers, each
 * reserved on the relay as a browser is, and on command opens relayed
 * circuits between them. Speaks JSON lines: it prints `{"reserved":N}` once
 * all hold their reservation, then answers each `circuits K SECONDS` line on
 * stdin with `{"circuits":n,"failed":f}` (K circuits at a time, each carrying
 * 8 KiB each way, as WebRTC signalling and a first message would), and
 * stops on `stop`.
 *
 *   node --import tsx bench/scenarios/relay-peers.ts RELAY_MULTIADDR COUNT
 */
import { startClient } from '../../relay/test-clients.ts'
import { createInterface } from 'node:readline'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

const PROTOCOL = '/peerlink-bench/echo/1.0.0'
const PAYLOAD = new Uint8Array(8 * 1024)
const [relayText, countText] = process.argv.slice(2)
if (relayText == null || countText == null) throw new Error('usage: relay-peers.ts RELAY_MULTIADDR COUNT')
const relay = multiaddr(relayText)
const count = Number(countText)

async function echo (stream: Stream): Promise<void> {
  for await (const chunk of stream) stream.send(chunk)
  await stream.close()
}

async function reservedPeer (): Promise<Libp2p> {
  const node = await startClient(true)
  await node.handle(PROTOCOL, echo, { runOnLimitedConnection: true })
  await node.dial(relay)
  while (!node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) await new Promise(resolve => setTimeout(resolve, 20))
  return node
}

// Thirty-two at a time, as browsers arriving together would.
const peers: Libp2p[] = []
while (peers.length < count) {
  const batch = Math.min(32, count - peers.length)
  peers.push(...await Promise.all(Array.from({ length: batch }, reservedPeer)))
}
console.log(JSON.stringify({ reserved: peers.length }))

/** One circuit from peer `from` to peer `to` through the relay, 8 KiB each way, then closed. */
async function circuit (from: Libp2p, to: Libp2p): Promise<void> {
  const stream = await from.dialProtocol(multiaddr(`${relayText}/p2p-circuit/p2p/${to.peerId.toString()}`), PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(20_000) })
  stream.send(PAYLOAD)
  let received = 0
  for await (const chunk of stream) {
    received += chunk.byteLength
    if (received >= PAYLOAD.byteLength) break
  }
  await stream.close()
  await from.hangUp(to.peerId)
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const [command, atOnceText, secondsText] = line.trim().split(' ')
  if (command === 'stop') break
  if (command !== 'circuits') continue
  const atOnce = Number(atOnceText)
  const until = Date.now() + Number(secondsText) * 1000
  let done = 0
  let failed = 0
  await Promise.all(Array.from({ length: atOnce }, async (_, lane) => {
    for (let i = lane; Date.now() < until; i += atOnce) {
      const from = peers[(2 * i) % peers.length]!
      const to = peers[(2 * i + 1) % peers.length]!
      try {
        await circuit(from, to)
        done += 1
      } catch {
        failed += 1
      }
    }
  }))
  console.log(JSON.stringify({ circuits: done, failed }))
}
await Promise.all(peers.map(async p => { await p.stop() }))
process.exit(0)
