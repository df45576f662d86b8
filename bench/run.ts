/**
 * `npm run bench`: in one run on one machine, two Chromium profiles and the
 * local relay, it measures each layer: a bare RTCDataChannel, a raw libp2p
 * stream between the offscreen documents, and Peerlink end to end with
 * durability and acks; then wake, recovery and memory under a stalled
 * receiver; then the same between Firefox and Chromium (bench/firefox.ts);
 * then across NAT routers in network namespaces, per route (bench/nat.ts).
 * It prints a table with ratios and writes bench/results.json.
 * Figures only: nothing here passes or fails on time.
 */
import { writeFileSync } from 'node:fs'
import { ResourceLimitError } from '../src/common/errors/index.ts'
import { makePair } from '../e2e/fixtures.ts'
import { keepStoppingWorker } from '../e2e/support/exchange.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'
import { durabilityCost } from './durability.ts'
import { benchFirefox } from './firefox.ts'
import { benchNat } from './nat.ts'
import { allowNamedFunctions, streamRoundTripMs, streamThroughputMBps, timedSends } from './measure.ts'
import { openRawChannel } from './raw-datachannel.ts'
import { median, percentile } from './stats.ts'

const RUNS = 3
const KiB = 1024
const MiB = 1024 * 1024

interface Figure { key: string, name: string, unit: string, median: number, runs: number[] }
const figures: Figure[] = []
const record = (key: string, name: string, unit: string, runs: number[]): void => {
  figures.push({ key, name, unit, median: median(runs), runs })
  console.log(`  ${name.padEnd(60)} ${median(runs).toFixed(2).padStart(10)} ${unit}   (${runs.map(r => r.toFixed(1)).join(', ')})`)
}
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

const relay = await RelayProcess.start()
const { alice, bob, aliceId, bobId } = await makePair(relay)
// The pending limits pace a sender to its acks; the throughput runs use roomier ones (they are settings).
await alice.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: 10_000, maxPendingBytesPerPeer: 512 * MiB } })
const page = await alice.open('options/options.html')
await allowNamedFunctions(page)


console.log('\n1. Raw RTCDataChannel between two pages (the limit)')
const [rawA, rawB] = await Promise.all([alice.context.newPage(), bob.context.newPage()])
await Promise.all([allowNamedFunctions(rawA), allowNamedFunctions(rawB)])
const raw = await openRawChannel(rawA, rawB)
const rawThroughput: number[] = []
const rawRtt: number[] = []
for (let i = 0; i < RUNS; i++) {
  rawThroughput.push(await raw.throughputMBps(64 * KiB, 64 * MiB))
  rawRtt.push(median(await raw.roundTripsMs(100, 200)))
}
record('raw.throughput', 'raw RTCDataChannel throughput, 64 KiB messages', 'MB/s', rawThroughput)
record('raw.rtt', 'raw RTCDataChannel round trip, 100 B (median of 200)', 'ms', rawRtt)

console.log('\n2. Raw libp2p stream between the offscreen documents')
await alice.api({ method: 'send', peerId: bobId, text: 'connect', awaitDelivery: true })
// The speed test wants the direct connection; the relay may carry the first message while WebRTC comes up.
await alice.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')
const libp2pThroughput: number[] = []
const libp2pRtt: number[] = []
for (let i = 0; i < RUNS; i++) {
  libp2pThroughput.push(await streamThroughputMBps(alice, bobId, 64 * MiB))
  libp2pRtt.push(await streamRoundTripMs(alice, bobId))
}
record('libp2p.throughput', 'libp2p stream throughput, 64 KiB messages', 'MB/s', libp2pThroughput)
record('libp2p.rtt', 'libp2p stream round trip, 100 B (median of 200)', 'ms', libp2pRtt)

console.log('\n3. Peerlink end to end, durable and acknowledged')
/** Sends `count` messages of `bytes` in batches through the API and waits until Bob has them all. */
async function throughput (count: number, bytes: number, batch: number): Promise<{ msgPerSec: number, mbPerSec: number }> {
  return await page.evaluate(async ({ peerId, count, bytes, batch }) => {
    const call = async (request: object): Promise<any> => {
      const response = await chrome.runtime.sendMessage({ api: 'peerlink/1', request })
      if (!response.ok) throw Object.assign(new Error(response.error.message), { name: response.error.name })
      return response.value
    }
    const text = 'x'.repeat(bytes)
    const started = performance.now()
    for (let i = 0; i < count; i += batch) {
      const messages = Array.from({ length: Math.min(batch, count - i) }, () => ({ text }))
      while (true) {
        try {
          await call({ method: 'sendMany', peerId, messages })
          break
        } catch (err) {
          if ((err as Error).name !== 'ResourceLimitError') throw err
          await new Promise(resolve => setTimeout(resolve, 5))
        }
      }
    }
    while ((await call({ method: 'getStatus' })).peers[0].pending.messages > 0) await new Promise(resolve => setTimeout(resolve, 5))
    const seconds = (performance.now() - started) / 1000
    return { msgPerSec: count / seconds, mbPerSec: count * bytes / 1e6 / seconds }
  }, { peerId: bobId, count, bytes, batch })
}
const small: number[] = []
const smallMB: number[] = []
const large: number[] = []
const largeMsgs: number[] = []
for (let i = 0; i < RUNS; i++) {
  const s = await throughput(10_000, KiB, 200)
  small.push(s.msgPerSec)
  smallMB.push(s.mbPerSec)
  const l = await throughput(512, 64 * KiB, 16)
  large.push(l.mbPerSec)
  largeMsgs.push(l.msgPerSec)
}
record('peerlink.1k.msgs', 'Peerlink throughput, 1 KiB messages', 'msg/s', small)
record('peerlink.1k.mbps', 'Peerlink throughput, 1 KiB messages', 'MB/s', smallMB)
record('peerlink.64k.mbps', 'Peerlink throughput, 64 KiB messages', 'MB/s', large)
record('peerlink.64k.msgs', 'Peerlink throughput, 64 KiB messages', 'msg/s', largeMsgs)

const latencies: number[][] = []
for (let i = 0; i < RUNS; i++) latencies.push(await page.evaluate(timedSends, { peerId: bobId, count: 200 }))
record('peerlink.latency.p50', 'Peerlink send → delivered, 100 B, p50 (200 sequential)', 'ms', latencies.map(t => percentile(t, 0.5)))
record('peerlink.latency.p99', 'Peerlink send → delivered, 100 B, p99 (200 sequential)', 'ms', latencies.map(t => percentile(t, 0.99)))

console.log('\n3b. What durable acknowledgements cost: one IndexedDB transaction per burst, relaxed and strict')
const durability: Array<Awaited<ReturnType<typeof durabilityCost>>> = []
for (let i = 0; i < RUNS; i++) durability.push(await durabilityCost(page, [1, 50]))
for (const burst of [1, 50]) {
  const runs = durability.map(run => run.find(d => d.burst === burst)!)
  record(`durability.relaxed.${burst}`, `store a burst of ${burst} × 1 KiB, relaxed durability`, 'ms', runs.map(r => r.relaxedMs))
  record(`durability.strict.${burst}`, `store a burst of ${burst} × 1 KiB, strict durability (received messages)`, 'ms', runs.map(r => r.strictMs))
}

console.log('\n4. Wake: the receiver\'s worker is stopped; send → delivered (includes waking it)')
const wakes: number[] = []
for (let i = 0; i < 10; i++) {
  await bob.stopServiceWorker()
  const started = performance.now()
  await alice.api({ method: 'send', peerId: bobId, text: `wake ${i}`, awaitDelivery: true })
  wakes.push(performance.now() - started)
}
record('wake.delivery', 'receiver worker stopped: send → delivered', 'ms', wakes)
const firstCalls: number[] = []
for (let i = 0; i < 20; i++) {
  await alice.stopServiceWorker()
  let status = await alice.status()
  while (status.link.firstCallAfterStartMs == null) status = await alice.status()
  firstCalls.push(status.link.firstCallAfterStartMs)
}
record('wake.link', 'worker start → first answered call over the link', 'ms', firstCalls)

console.log('\n5. Recovery')
const afterReset: number[] = []
for (let i = 0; i < 5; i++) {
  await bob.api({ method: 'resetPeer', peerId: aliceId })
  const started = performance.now()
  await alice.api({ method: 'send', peerId: bobId, text: `after reset ${i}`, awaitDelivery: true })
  afterReset.push(performance.now() - started)
}
record('recovery.reset', 'stream reset → next message delivered', 'ms', afterReset)
const afterRelay: number[] = []
const reserved: number[] = []
for (let i = 0; i < 3; i++) {
  await relay.restart()
  const started = performance.now()
  await alice.api({ method: 'send', peerId: bobId, text: `after relay restart ${i}`, awaitDelivery: true })
  afterRelay.push(performance.now() - started)
  await alice.waitForStatus(s => s.relays[0]?.state === 'reserved', 'a new reservation', 60_000)
  reserved.push(performance.now() - started)
}
record('recovery.relay.delivery', 'relay restart → next message delivered', 'ms', afterRelay)
record('recovery.relay.reserved', 'relay restart → reserved again', 'ms', reserved)

console.log('\n6. Memory while the receiver stalls and the sender keeps sending')
await alice.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: 200, maxPendingBytesPerPeer: 16 * MiB } })
const stopper = keepStoppingWorker(bob, 100)
const samples: Array<{ t: number, heap: number, outbox: number }> = []
const memoryStarted = performance.now()
let refusals = 0
while (performance.now() - memoryStarted < 30_000) {
  try {
    await alice.api({ method: 'sendMany', peerId: bobId, messages: Array.from({ length: 20 }, () => ({ text: 'm'.repeat(8 * KiB) })) })
  } catch (err) {
    if (!(err instanceof ResourceLimitError)) throw err
    refusals++
    await sleep(50)
  }
  const d = await alice.api({ method: 'diagnostics' })
  samples.push({ t: performance.now() - memoryStarted, heap: d.offscreenJsHeapUsedBytes ?? 0, outbox: d.outboxBytes })
}
await stopper.end()
const third = (from: number, to: number): typeof samples => samples.filter(s => s.t >= from && s.t < to)
const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const heapMiddle = avg(third(10_000, 20_000).map(s => s.heap)) / MiB
const heapLast = avg(third(20_000, 30_000).map(s => s.heap)) / MiB
const outboxMax = Math.max(...samples.map(s => s.outbox)) / MiB
record('memory.heap.middle', 'sender offscreen JS heap, 10–20 s into the stall', 'MiB', [heapMiddle])
record('memory.heap.last', 'sender offscreen JS heap, 20–30 s into the stall', 'MiB', [heapLast])
record('memory.outbox.max', `sender outbox bytes, max (${refusals} sends refused at the cap)`, 'MiB', [outboxMax])

await Promise.all([alice.close(), bob.close()])

console.log('\n7. Firefox ↔ Chromium')
await benchFirefox(relay, record, RUNS)
await relay.stop()

console.log('\n8. Across NATs: two homes behind NAT routers, per route (direct, TURN, relay)')
const natRatios = await benchNat(record, RUNS)

const get = (key: string): number => figures.find(f => f.key === key)!.median
const ratios = {
  'libp2p / raw throughput': get('libp2p.throughput') / get('raw.throughput'),
  'Peerlink 64 KiB / libp2p throughput': get('peerlink.64k.mbps') / get('libp2p.throughput'),
  'libp2p / raw round trip': get('libp2p.rtt') / get('raw.rtt'),
  'Peerlink p50 / libp2p round trip': get('peerlink.latency.p50') / get('libp2p.rtt'),
  'heap growth, last third / middle third': heapLast / heapMiddle,
  ...natRatios,
  'strict / relaxed durability, one message a transaction': get('durability.strict.1') / get('durability.relaxed.1'),
  'strict / relaxed durability, 50 messages a transaction': get('durability.strict.50') / get('durability.relaxed.50')
}
console.log('\nRatios')
for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(60)} ${value.toFixed(2).padStart(10)}`)
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), figures, ratios }, null, 2) + '\n')
console.log('\nwritten to bench/results.json')
