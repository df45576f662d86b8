/**
 * `npm run bench`: in one run on one machine, two Chromium profiles and the
 * local relay, it measures each layer: a bare RTCDataChannel, a raw libp2p
 * stream between the offscreen documents, and Peerlink end to end with
 * durability and acks; then wake, recovery and memory under a stalled
 * receiver; then the same between Firefox and Chromium (bench/scenarios/firefox.ts);
 * then across NAT routers in network namespaces, per route (bench/scenarios/nat.ts);
 * then how cost grows with stored messages, connected peers and contacts
 * (bench/scenarios/growth.ts); then the bytes of the built scripts (bench/scenarios/bundle.ts).
 *
 * Sections, chosen with PEERLINK_BENCH (comma-separated; unset runs all):
 *   layers      raw RTCDataChannel and raw libp2p stream
 *   throughput  Peerlink, 1 KiB (sendMany) and 64 KiB (measures the libp2p
 *               stream once too when `layers` is not chosen, for the ratio)
 *   latency     send → delivered, 100 B, sequential; the page ↔ worker hop
 *   durability  strict vs relaxed IndexedDB transactions
 *   wake        send to a stopped worker; worker start → first call
 *   recovery    stream reset, relay restart
 *   memory      heap (after a forced collection) and outbox while the receiver stalls
 *   firefox     Firefox ↔ Chromium
 *   nat         across NAT routers (root only; slow)
 *   mailbox     through a contact's mailbox; what one relay core takes of deposits
 *   relay       one relay at 100 / 300 / 1,000 reservations: memory, idle CPU, per-core rates
 *   history     1 k / 10 k / 100 k stored messages   ┐
 *   peers       1 / 10 / 50 connected Node peers      ├ `growth` = all three
 *   contacts    10 / 100 / 1,000 contacts             ┘
 *   bundle      bytes of the built scripts
 * e.g. `PEERLINK_BENCH=throughput,latency,wake npm run bench`.
 *
 * It prints every figure, every target beside its figure as a ratio, and
 * the growth tables; writes bench/results.json, bench/report.html and
 * docs/bench-headline.svg. A partial run replaces only its own sections'
 * figures in bench/results.json and keeps the rest (with their dates under
 * `measured`). Figures only: nothing here passes or fails on time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { makePair, type Pair } from '../e2e/fixtures.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'
import { bundleSizes, DIST_CHROME, formatBundle } from './scenarios/bundle.ts'
import { durabilityCost, recordLayoutCost, type RecordLayoutCost } from './scenarios/durability.ts'
import { messagingRoundTrips, type MessagingRoundTrips } from './scenarios/extension-messaging.ts'
import { benchFirefox } from './scenarios/firefox.ts'
import { benchGrowth, formatGrowth } from './scenarios/growth.ts'
import { allowNamedFunctions, batchedThroughput, streamRoundTripMs, streamThroughputMBps, timedSends } from './measure.ts'
import { benchNat } from './scenarios/nat.ts'
import { browserCpuSeconds } from './process-cpu.ts'
import { openRawChannel } from './scenarios/raw-datachannel.ts'
import { writeReport } from './report/report.ts'
import { emptyResults, mergeResults, type Figure, type Results } from './results.ts'
import { benchMailbox } from './scenarios/mailbox.ts'
import { benchRelay } from './scenarios/relay.ts'
import { isFullRun, selectSections, type Section } from './sections.ts'
import { benchPopupOpen } from './scenarios/popup-open.ts'
import { memoryUnderStall } from './scenarios/stall-memory.ts'
import { median, percentile } from './stats.ts'
import { evaluateTargets, formatTargetLine } from './targets.ts'

const RUNS = 3
/** The memory section's stall, and how often it reads the heap after a collection. */
const STALL_MS = 90_000
const STALL_SAMPLE_MS = 10_000
/** Acknowledged messages in the conversation before the recovery section's resets, when the throughput section has not left them. */
const RECOVERY_HISTORY = 10_000
const KiB = 1024
const MiB = 1024 * 1024

const sections = selectSections(process.env.PEERLINK_BENCH)
const full = isFullRun(sections)
const chosen = (s: Section): boolean => sections.includes(s)
console.log(full ? 'All sections' : `Sections: ${sections.join(', ')} (a partial run: bench/results.json keeps the other sections' figures)`)

const fresh: Results = emptyResults(new Date().toISOString())
let current: Section = sections[0]!
const begin = (section: Section, heading: string): void => {
  current = section
  fresh.measured[section] = new Date().toISOString()
  console.log(`\n${heading}`)
}
const record = (key: string, name: string, unit: string, runs: number[]): void => {
  const figure: Figure = { key, name, unit, median: median(runs), runs, section: current }
  fresh.figures.push(figure)
  console.log(`  ${name.padEnd(60)} ${median(runs).toFixed(2).padStart(10)} ${unit}   (${runs.map(r => r.toFixed(1)).join(', ')})`)
}

const PAIR_SECTIONS: Section[] = ['layers', 'throughput', 'latency', 'durability', 'wake', 'recovery', 'memory']
const needsRelay = sections.some(s => PAIR_SECTIONS.includes(s) || s === 'firefox' || s === 'popup' || s === 'history' || s === 'peers')
const relay = needsRelay ? await RelayProcess.start() : undefined

// The memory section reads the sender's heap over DevTools, which needs the port `toolbar` opens.
if (sections.some(s => PAIR_SECTIONS.includes(s))) await pairSections(await makePair(relay!, { toolbar: chosen('memory') }))

/** Sections 1–6 on one pair of Chromium profiles, Alice sending to Bob. */
async function pairSections ({ alice, bob, aliceId, bobId }: Pair): Promise<void> {
  // The pending limits pace a sender to its acks; the throughput runs use roomier ones (they are settings).
  await alice.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: 10_000, maxPendingBytesPerPeer: 512 * MiB } })
  const page = await alice.open('options/options.html')
  await allowNamedFunctions(page)

  if (chosen('layers')) {
    begin('layers', '1. Raw RTCDataChannel between two pages (the limit)')
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
    await Promise.all([rawA.close(), rawB.close()])
  }

  await alice.api({ method: 'send', peerId: bobId, text: 'connect', awaitDelivery: true })
  // The speed tests want the direct connection; the relay may carry the first message while WebRTC comes up.
  await alice.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')

  if (chosen('layers')) {
    console.log('\n2. Raw libp2p stream between the offscreen documents')
    const libp2pThroughput: number[] = []
    const libp2pRtt: number[] = []
    for (let i = 0; i < RUNS; i++) {
      libp2pThroughput.push(await streamThroughputMBps(alice, bobId, 64 * MiB))
      libp2pRtt.push(await streamRoundTripMs(alice, bobId))
    }
    record('libp2p.throughput', 'libp2p stream throughput, 64 KiB messages', 'MB/s', libp2pThroughput)
    record('libp2p.rtt', 'libp2p stream round trip, 100 B (median of 200)', 'ms', libp2pRtt)
  }

  if (chosen('throughput')) {
    begin('throughput', '3. Peerlink end to end, durable and acknowledged')
    if (!chosen('layers')) {
      // The target is a ratio to the stream Peerlink runs on: measure that stream too, once, in this run.
      record('libp2p.throughput', 'libp2p stream throughput, 64 KiB messages (for the ratio)', 'MB/s', [await streamThroughputMBps(alice, bobId, 64 * MiB)])
    }
    // Both browsers share this machine's cores: what each message costs in CPU says how far the cores let it go.
    const cpuOf = async <T>(run: () => Promise<T>): Promise<{ result: T, cpuSeconds: number }> => {
      const used = (): number => (browserCpuSeconds(alice.userDataDir) ?? NaN) + (browserCpuSeconds(bob.userDataDir) ?? NaN)
      const before = used()
      const result = await run()
      return { result, cpuSeconds: used() - before }
    }
    const small: number[] = []
    const smallMB: number[] = []
    const smallCpu: number[] = []
    const large: number[] = []
    const largeMsgs: number[] = []
    const largeCpu: number[] = []
    const streamCpu: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const s = await cpuOf(async () => await page.evaluate(batchedThroughput, { peerId: bobId, count: 10_000, bytes: KiB, batch: 200 }))
      small.push(s.result.msgPerSec)
      smallMB.push(s.result.mbPerSec)
      smallCpu.push(s.cpuSeconds * 1000 / 10_000)
      const l = await cpuOf(async () => await page.evaluate(batchedThroughput, { peerId: bobId, count: 512, bytes: 64 * KiB, batch: 16 }))
      large.push(l.result.mbPerSec)
      largeMsgs.push(l.result.msgPerSec)
      largeCpu.push(l.cpuSeconds / (512 * 64 * KiB / 1e6))
      const stream = await cpuOf(async () => await streamThroughputMBps(alice, bobId, 32 * MiB))
      streamCpu.push(stream.cpuSeconds / (32 * MiB / 1e6))
    }
    record('peerlink.1k.msgs', 'Peerlink throughput, 1 KiB messages', 'msg/s', small)
    record('peerlink.1k.mbps', 'Peerlink throughput, 1 KiB messages', 'MB/s', smallMB)
    record('peerlink.64k.mbps', 'Peerlink throughput, 64 KiB messages', 'MB/s', large)
    record('peerlink.64k.msgs', 'Peerlink throughput, 64 KiB messages', 'msg/s', largeMsgs)
    if (smallCpu.every(Number.isFinite)) {
      const cores = availableParallelism()
      record('peerlink.1k.cpu', 'CPU per 1 KiB message, both browsers, every process', 'ms', smallCpu)
      record('peerlink.1k.ceiling', `1 KiB messages per second ${cores} cores allow at that cost`, 'msg/s', smallCpu.map(ms => cores * 1000 / ms))
      record('peerlink.64k.cpu', 'CPU per MB, Peerlink 64 KiB messages, both browsers', 's/MB', largeCpu)
      record('libp2p.cpu', 'CPU per MB, libp2p stream 64 KiB messages, both browsers', 's/MB', streamCpu)
    }
  }

  if (chosen('latency')) {
    begin('latency', '3a. Peerlink send → delivered, one message at a time')
    const latencies: number[][] = []
    // Over the requests port, as Peerlink's pages send; then one runtime message each, as other extensions still do.
    for (let i = 0; i < RUNS; i++) latencies.push(await page.evaluate(timedSends, { peerId: bobId, count: 200, port: true }))
    record('peerlink.latency.p50', 'Peerlink send → delivered, 100 B, p50 (200 sequential, requests port)', 'ms', latencies.map(t => percentile(t, 0.5)))
    record('peerlink.latency.p99', 'Peerlink send → delivered, 100 B, p99 (200 sequential, requests port)', 'ms', latencies.map(t => percentile(t, 0.99)))
    fresh.samples['peerlink.latency'] = latencies.flat()
    const oneShot: number[][] = []
    for (let i = 0; i < RUNS; i++) oneShot.push(await page.evaluate(timedSends, { peerId: bobId, count: 200 }))
    record('peerlink.latency.oneshot.p50', 'Peerlink send → delivered, 100 B, p50 (one runtime message per request)', 'ms', oneShot.map(t => percentile(t, 0.5)))
    const hops: MessagingRoundTrips[] = []
    for (let i = 0; i < RUNS; i++) hops.push(await messagingRoundTrips(page, alice.worker!))
    record('messaging.runtime.rtt', 'page ↔ worker round trip, runtime.sendMessage (every request)', 'ms', hops.map(h => h.runtimeMs))
    record('messaging.channel.rtt', 'page ↔ worker round trip, a MessageChannel', 'ms', hops.map(h => h.channelMs))
    record('messaging.port.rtt', 'page ↔ worker round trip, a long-lived runtime port', 'ms', hops.map(h => h.portMs))
    if (!chosen('layers')) record('libp2p.rtt', 'libp2p stream round trip, 100 B (for the ratio)', 'ms', [await streamRoundTripMs(alice, bobId)])
    // What no durable message can beat: the receiver's strict transaction and the sender's, and the round trip.
    const floors: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const [strict] = await durabilityCost(page, [1])
      floors.push(2 * strict!.strictMs + await streamRoundTripMs(alice, bobId))
    }
    record('latency.floor', 'the floor: two strict transactions of one message and the libp2p round trip', 'ms', floors)
  }

  if (chosen('durability')) {
    begin('durability', '3b. What durable acknowledgements cost: one IndexedDB transaction per burst, relaxed and strict')
    const durability: Array<Awaited<ReturnType<typeof durabilityCost>>> = []
    for (let i = 0; i < RUNS; i++) durability.push(await durabilityCost(page, [1, 50]))
    for (const burst of [1, 50]) {
      const runs = durability.map(run => run.find(d => d.burst === burst)!)
      record(`durability.relaxed.${burst}`, `store a burst of ${burst} × 1 KiB, relaxed durability`, 'ms', runs.map(r => r.relaxedMs))
      record(`durability.strict.${burst}`, `store a burst of ${burst} × 1 KiB, strict durability (received messages)`, 'ms', runs.map(r => r.strictMs))
    }
    const cpuSeconds = (): number => browserCpuSeconds(alice.userDataDir) ?? NaN
    if (Number.isFinite(cpuSeconds())) {
      const layouts: RecordLayoutCost[] = []
      for (let i = 0; i < RUNS; i++) layouts.push(await recordLayoutCost(page, cpuSeconds))
      record('storage.cpu.record', 'IndexedDB CPU per 1 KiB message, a record each (4 indexes)', 'ms', layouts.map(l => l.recordPerMessageMs))
      record('storage.cpu.burst', 'IndexedDB CPU per 1 KiB message, a record per burst of 50', 'ms', layouts.map(l => l.recordPerBurstMs))
      record('storage.cpu.burst.exact', 'IndexedDB CPU per 1 KiB message, a record per burst of 50, every message findable', 'ms', layouts.map(l => l.recordPerBurstExactMs))
      record('storage.cpu.remove', 'IndexedDB CPU per 1 KiB message removed (history bound)', 'ms', layouts.map(l => l.removeMs))
      record('storage.cpu.remove.burst', 'IndexedDB CPU per 1 KiB message removed, a record per burst of 50', 'ms', layouts.map(l => l.removeBurstMs))
      record('storage.cpu.large', 'IndexedDB CPU per MB of 64 KiB messages, stored and removed', 's/MB', layouts.map(l => l.largeSecondsPerMB))
    }
  }

  if (chosen('wake')) {
    begin('wake', '4. Wake: the receiver\'s worker is stopped; send → delivered (includes waking it)')
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
  }

  if (chosen('recovery')) {
    begin('recovery', '5. Recovery')
    // A reset's cost depends on the history behind it (a SKIP once walked every acknowledged message):
    // run alone, the section first gives the conversation the history the throughput section leaves.
    if (!chosen('throughput')) {
      for (let sent = 0; sent < RECOVERY_HISTORY; sent += 1_000) {
        const batch = await alice.api({ method: 'sendMany', peerId: bobId, messages: Array.from({ length: 1_000 }, (_, i) => ({ text: `history ${sent + i} ${'h'.repeat(KiB)}` })) })
        await alice.api({ method: 'awaitDelivery', id: batch.at(-1)!.id, timeoutMs: 60_000 })
      }
      console.log(`  (after ${RECOVERY_HISTORY.toLocaleString('en')} acknowledged messages of 1 KiB)`)
    }
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
      await relay!.restart()
      const started = performance.now()
      await alice.api({ method: 'send', peerId: bobId, text: `after relay restart ${i}`, awaitDelivery: true })
      afterRelay.push(performance.now() - started)
      await alice.waitForStatus(s => s.relays[0]?.state === 'reserved', 'a new reservation', 60_000)
      reserved.push(performance.now() - started)
    }
    record('recovery.relay.delivery', 'relay restart → next message delivered', 'ms', afterRelay)
    record('recovery.relay.reserved', 'relay restart → reserved again', 'ms', reserved)
  }

  if (chosen('memory')) {
    begin('memory', '6. Memory while the receiver stalls and the sender keeps sending (heap after a forced collection)')
    await alice.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: 200, maxPendingBytesPerPeer: 16 * MiB } })
    const { samples, refusals } = await memoryUnderStall(alice, bob, bobId, STALL_MS, STALL_SAMPLE_MS)
    const third = (from: number, to: number): typeof samples => samples.filter(s => s.t >= from * STALL_MS && s.t < to * STALL_MS)
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
    console.log(`  after a collection, every ${STALL_SAMPLE_MS / 1000} s: heap ${samples.map(s => (s.heapBytes / MiB).toFixed(1)).join(', ')} MiB; outbox ${samples.map(s => (s.outboxBytes / MiB).toFixed(2)).join(', ')} MiB`)
    record('memory.heap.middle', `sender offscreen JS heap after GC, ${STALL_MS / 3000}–${2 * STALL_MS / 3000} s into the stall`, 'MiB', [avg(third(1 / 3, 2 / 3).map(s => s.heapBytes)) / MiB])
    record('memory.heap.last', `sender offscreen JS heap after GC, ${2 * STALL_MS / 3000}–${STALL_MS / 1000} s into the stall`, 'MiB', [avg(third(2 / 3, 1.01).map(s => s.heapBytes)) / MiB])
    // The outbox fills up to its cap (the pending limits) and stays there: its largest in each third says whether it grows.
    record('memory.outbox.middle', `sender outbox bytes, max ${STALL_MS / 3000}–${2 * STALL_MS / 3000} s into the stall`, 'MiB', [Math.max(...third(1 / 3, 2 / 3).map(s => s.outboxBytes)) / MiB])
    record('memory.outbox.last', `sender outbox bytes, max ${2 * STALL_MS / 3000}–${STALL_MS / 1000} s into the stall`, 'MiB', [Math.max(...third(2 / 3, 1.01).map(s => s.outboxBytes)) / MiB])
    record('memory.outbox.max', `sender outbox bytes, max (${refusals} sends refused at the cap)`, 'MiB', [Math.max(...samples.map(s => s.outboxBytes)) / MiB])
  }

  await Promise.all([alice.close(), bob.close()])
}

if (chosen('firefox')) {
  begin('firefox', '7. Firefox ↔ Chromium')
  await benchFirefox(relay!, record, RUNS, (key, values) => { fresh.samples[key] = values })
}

if (chosen('nat')) {
  begin('nat', '8. Across NATs: two homes behind NAT routers, per route (direct, TURN, relay)')
  Object.assign(fresh.ratios, await benchNat(record, RUNS))
}

if (chosen('mailbox')) {
  begin('mailbox', '8b. The mailbox: a message through it, what sealing adds, what one relay core takes')
  await benchMailbox(record)
}

if (chosen('relay')) {
  begin('relay', '8c. The relay at capacity: 100, 300 and 1,000 reservations on one relay process')
  const series = await benchRelay(record)
  fresh.growth.push(...series)
  for (const line of formatGrowth(series)) console.log(line)
}

if (chosen('popup')) {
  begin('popup', '8d. The popup: open → the list of conversations, and the conversation\'s newest page')
  await benchPopupOpen(relay!, record)
}

for (const section of ['history', 'peers', 'contacts'] as const) {
  if (!chosen(section)) continue
  begin(section, `9. How cost grows: ${section}`)
  const series = await benchGrowth(section, relay, record)
  fresh.growth.push(...series)
  for (const line of formatGrowth(series)) console.log(line)
}
await relay?.stop()

if (chosen('bundle')) {
  begin('bundle', '10. Bundle sizes (dist/chrome; each entry with the chunks it imports statically)')
  fresh.bundle = bundleSizes(DIST_CHROME)
  for (const line of formatBundle(fresh.bundle, DIST_CHROME)) console.log(line)
}

const path = new URL('./results.json', import.meta.url)
const previous = !full && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Partial<Results> : undefined
const results = mergeResults(previous, fresh, sections)
const get = (key: string): number | undefined => results.figures.find(f => f.key === key)?.median
const ratio = (a: string, b: string): number | undefined => { const [x, y] = [get(a), get(b)]; return x == null || y == null ? undefined : x / y }
const ratios: Record<string, number | undefined> = {
  'libp2p / raw throughput': ratio('libp2p.throughput', 'raw.throughput'),
  'Peerlink 64 KiB / libp2p throughput': ratio('peerlink.64k.mbps', 'libp2p.throughput'),
  'libp2p / raw round trip': ratio('libp2p.rtt', 'raw.rtt'),
  'Peerlink p50 / libp2p round trip': ratio('peerlink.latency.p50', 'libp2p.rtt'),
  'Peerlink p50 / the floor (two strict transactions and the round trip)': ratio('peerlink.latency.p50', 'latency.floor'),
  'heap growth, last third / middle third': ratio('memory.heap.last', 'memory.heap.middle'),
  'outbox growth (max), last third / middle third': ratio('memory.outbox.last', 'memory.outbox.middle'),
  'strict / relaxed durability, one message a transaction': ratio('durability.strict.1', 'durability.relaxed.1'),
  'strict / relaxed durability, 50 messages a transaction': ratio('durability.strict.50', 'durability.relaxed.50')
}
for (const [name, value] of Object.entries(ratios)) if (value != null) results.ratios[name] = value
results.targets = evaluateTargets(get)

console.log('\nRatios')
for (const [name, value] of Object.entries(results.ratios)) console.log(`  ${name.padEnd(60)} ${value.toFixed(2).padStart(10)}`)
console.log(`\nTargets (figure / target; ${full ? 'this run' : 'figures of sections not run are from earlier runs'})`)
for (const line of results.targets.map(formatTargetLine)) console.log(line)

writeFileSync(path, JSON.stringify(results, null, 2) + '\n')
const written = writeReport(results)
console.log(`\nwritten to bench/results.json${full ? '' : ' (merged: only the chosen sections were measured)'}, ${written.join(', ')}`)
// The Node peers of the growth section leave libp2p timers behind after they stop: end here, all written.
process.exit(0)
