/**
 * How cost grows, each at three sizes:
 * - history: 1 k, 10 k, 100 k stored messages in one conversation: the
 *   popup's conversation opening, getStatus, getMessages (first page) and
 *   the IndexedDB size, on the sending and the receiving side;
 * - peers: 1, 10, 50 connected Node test peers (through the relay, then
 *   WebRTC): offscreen and worker heap, CPU while idle, keepalive bytes;
 *   then, at the largest size, the same idle once every unused connection
 *   was let go (the idle limit shortened to its least);
 * - contacts: 10, 100, 1,000 contacts: getStatus and the status's size.
 * Each series says how it grows per step against what the work needs.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Page } from '@playwright/test'
import { makePair } from '../../e2e/fixtures.ts'
import { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { NodePeer } from '../../e2e/support/node-peer.ts'
import type { RelayProcess } from '../../e2e/support/relay-process.ts'
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_STREAM_INACTIVITY_TIMEOUT_MS, MIN_IDLE_CONNECTION_MS, POPUP_FIRST_PAGE } from '../../src/common/constants.ts'
import { ExtensionTargets } from '../devtools-targets.ts'
import { growthSeries, type Expected, type GrowthSeries } from '../growth-math.ts'
import { allowNamedFunctions, batchedThroughput } from '../measure.ts'
import { browserCpuSeconds } from '../process-cpu.ts'
import { median } from '../stats.ts'
import { formatNumber } from '../targets.ts'
import { trackPeerConnections, wireBytes } from './wire-bytes.ts'

export type GrowthSection = 'history' | 'peers' | 'contacts'

export const HISTORY_SIZES = [1_000, 10_000, 100_000]
export const PEER_COUNTS = [1, 10, 50]
export const CONTACT_COUNTS = [10, 100, 1_000]

const MiB = 1024 * 1024
/** The idle window CPU and keepalive bytes are measured over. */
const IDLE_WINDOW_MS = 10_000
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
type RecordFigure = (key: string, name: string, unit: string, runs: number[]) => void

/** Measures one growth section; answers its series. */
export async function benchGrowth (section: GrowthSection, relay: RelayProcess | undefined, record: RecordFigure): Promise<GrowthSeries[]> {
  if (section === 'history') return await history(relay!)
  if (section === 'peers') return await peers(relay!, record)
  return await contacts()
}

interface SeriesSpec { key: string, name: string, unit: string, expected: Expected, floor?: number }

/** Collects values per size for several series, then makes them growth series. */
class Collector {
  readonly #values = new Map<string, { spec: SeriesSpec, values: number[] }>()
  constructor (readonly section: GrowthSection, readonly sizeLabel: string) {}

  add (spec: SeriesSpec, value: number): void {
    const entry = this.#values.get(spec.key) ?? { spec, values: [] }
    entry.values.push(value)
    this.#values.set(spec.key, entry)
    console.log(`    ${spec.name.padEnd(56)} ${formatNumber(value).padStart(12)} ${spec.unit}`)
  }

  series (sizes: number[]): GrowthSeries[] {
    return [...this.#values.values()].filter(e => e.values.length === sizes.length)
      .map(({ spec, values }) => growthSeries({ ...spec, section: this.section, sizeLabel: this.sizeLabel }, sizes, values))
  }
}

/** Times `count` calls of `request` from inside an extension page; answers the median in ms. */
async function timedCalls (page: Page, request: object, count: number): Promise<number> {
  const times = await page.evaluate(async ({ request, count }) => {
    const out: number[] = []
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      const response = await chrome.runtime.sendMessage({ api: 'peerlink/1', request }) as { ok: boolean, error?: { message: string } }
      if (!response.ok) throw new Error(response.error?.message)
      out.push(performance.now() - started)
    }
    return out
  }, { request, count })
  return median(times)
}

/** Opens the popup as a tab and answers ms from navigation until `expected` messages of its conversation are on screen. */
async function popupOpenMs (profile: ExtensionProfile, expected: number): Promise<number> {
  const page = await profile.context.newPage()
  try {
    await page.goto(profile.url('popup/popup.html?tab'), { waitUntil: 'commit' })
    const handle = await page.waitForFunction((expected) => document.querySelectorAll('ul.messages li.message').length >= expected && performance.now(),
      expected, { polling: 'raf', timeout: 120_000 })
    return await handle.jsonValue() as number
  } finally {
    await page.close()
  }
}

/** 1 k, 10 k, 100 k messages from Alice to Bob: what opening and reading the conversation costs on each side. */
async function history (relay: RelayProcess): Promise<GrowthSeries[]> {
  const { alice, bob, bobId } = await makePair(relay)
  const collect = new Collector('history', 'stored messages')
  try {
    const roomy = { maxPendingMessagesPerPeer: 10_000, maxPendingBytesPerPeer: 512 * MiB, historyPerPeer: 1_000_000 }
    await Promise.all([alice.api({ method: 'setLimits', limits: roomy }), bob.api({ method: 'setLimits', limits: { historyPerPeer: 1_000_000 } })])
    const [alicePage, bobPage] = await Promise.all([alice.open('options/options.html'), bob.open('options/options.html')])
    await Promise.all([allowNamedFunctions(alicePage), allowNamedFunctions(bobPage)])
    const aliceId = (await alice.status()).peerId!
    let stored = 0
    for (const size of HISTORY_SIZES) {
      const started = performance.now()
      const fill = await alicePage.evaluate(batchedThroughput, { peerId: bobId, count: size - stored, bytes: 100, batch: 1_000 })
      stored = size
      console.log(`  ${size.toLocaleString('en-US')} messages stored (filled ${((performance.now() - started) / 1000).toFixed(1)} s, ${formatNumber(fill.msgPerSec)} msg/s)`)
      // As a cost (time per 1,000 stored), so that growing means getting worse, as for every other series.
      collect.add({ key: 'history.fill', name: 'fill: sendMany 1,000 × 100 B, stored at both ends', unit: 'ms', expected: 'flat', floor: 20 }, 1e6 / fill.msgPerSec)
      // The page shows the first page of the conversation, newest last.
      const onScreen = Math.min(size, POPUP_FIRST_PAGE)
      for (const [side, profile, page, peerId] of [['sender', alice, alicePage, bobId], ['receiver', bob, bobPage, aliceId]] as const) {
        const opens: number[] = []
        for (let i = 0; i < 3; i++) opens.push(await popupOpenMs(profile, onScreen))
        collect.add({ key: `history.${side}.popup`, name: `${side}: open the popup → conversation's first page (${POPUP_FIRST_PAGE}) shown`, unit: 'ms', expected: 'flat', floor: 20 }, median(opens))
        collect.add({ key: `history.${side}.getStatus`, name: `${side}: getStatus`, unit: 'ms', expected: 'flat', floor: 2 }, await timedCalls(page, { method: 'getStatus' }, 20))
        collect.add({ key: `history.${side}.getMessages`, name: `${side}: getMessages, first page (200)`, unit: 'ms', expected: 'flat', floor: 5 },
          await timedCalls(page, { method: 'getMessages', peerId, limit: 200 }, 10))
        const d = await profile.api({ method: 'diagnostics' })
        collect.add({ key: `history.${side}.storage`, name: `${side}: storage used (diagnostics)`, unit: 'MB', expected: 'linear' }, (d.storage.usedBytes ?? 0) / 1e6)
      }
    }
    return collect.series(HISTORY_SIZES)
  } finally {
    await Promise.all([alice.close(), bob.close()])
  }
}

/** A Node peer that has opened a Peerlink stream to the hub and said HELLO, and keeps reading what comes. */
async function connectNodePeer (relayAddress: string, hubId: string, peer: NodePeer): Promise<void> {
  const stream = await peer.openStream(relayAddress, hubId)
  // Read everything, as a peer does; the bytes are counted on the wire instead.
  stream.addEventListener('message', () => {})
  const incarnation = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('')
  await NodePeer.writeFrame(stream, {
    type: 'hello',
    hello: { incarnation, peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, inactivityTimeoutMs: DEFAULT_STREAM_INACTIVITY_TIMEOUT_MS, addresses: [] }
  })
}

/**
 * Over the idle window: the whole browser's CPU (% of a core, where `/proc`
 * tells it), the Node peers' bytes on the wire per second, and what `read`
 * gives at each end.
 */
async function idleWindow<T> (userDataDir: string, read: () => Promise<T>): Promise<{ cpuPercent?: number, wirePerSecond: number, before: T, after: T, seconds: number }> {
  const before = { read: await read(), cpu: browserCpuSeconds(userDataDir), wire: await wireBytes(), at: performance.now() }
  await sleep(IDLE_WINDOW_MS)
  const after = { read: await read(), cpu: browserCpuSeconds(userDataDir), wire: await wireBytes(), at: performance.now() }
  const seconds = (after.at - before.at) / 1000
  const cpuPercent = before.cpu != null && after.cpu != null ? (after.cpu - before.cpu) / seconds * 100 : undefined
  return { cpuPercent, wirePerSecond: (after.wire - before.wire) / seconds, before: before.read, after: after.read, seconds }
}

/** 1, 10, 50 connected Node peers, all contacts, idle: what they cost the browser while nothing is said. */
async function peers (relay: RelayProcess, record: RecordFigure): Promise<GrowthSeries[]> {
  trackPeerConnections()
  // libp2p in Node lets a failed relayed dial's upgrade escape as an unhandled rejection even
  // though the dial that started it fails and is retried: note it rather than end the bench.
  const escaped = (err: unknown): void => { console.log(`    (a Node peer's dial failed and is retried: ${String((err as Error | undefined)?.message ?? err)})`) }
  process.on('unhandledRejection', escaped)
  process.on('uncaughtException', escaped)
  const hub = await ExtensionProfile.launch({ name: 'hub', toolbar: true })
  const targets = await ExtensionTargets.connect(hub.userDataDir, hub.extensionId)
  const nodes: NodePeer[] = []
  const collect = new Collector('peers', 'connected peers')
  try {
    await hub.useRelay(relay.address)
    const hubId = (await hub.status()).peerId!
    const measured: number[] = []
    for (const count of PEER_COUNTS) {
      let connected
      try {
        while (nodes.length < count) {
          const peer = await NodePeer.start()
          nodes.push(peer)
          await hub.api({ method: 'addPeer', peerId: peer.peerId, name: `node ${nodes.length}` })
          // All Node peers dial from one address, which the relay's libp2p limits per second: pace and retry.
          for (let attempt = 1; ; attempt++) {
            try {
              await connectNodePeer(relay.address, hubId, peer)
              break
            } catch (err) {
              if (attempt === 5) throw err
              await sleep(1_000 * attempt)
            }
          }
        }
        connected = await hub.waitForStatus(s => s.peers.filter(p => p.state === 'connected').length >= count, `${count} connected peers`, 60_000)
      } catch (err) {
        // The sizes measured so far still make a (shorter) series.
        console.log(`  could not connect ${count} peers: ${String((err as Error | undefined)?.message ?? err).split('\n')[0]}`)
        break
      }
      measured.push(count)
      console.log(`  ${count} connected (${connected.connections} connections); settling`)
      await sleep(5_000)
      const [worker, offscreen] = [await targets.attach('worker'), await targets.attach('offscreen')]
      const { cpuPercent, wirePerSecond, before, after, seconds } = await idleWindow(hub.userDataDir, async () => ({ worker: await worker.usage(), offscreen: await offscreen.usage() }))
      collect.add({ key: 'peers.offscreen.heap', name: 'offscreen JS heap (after GC)', unit: 'MB', expected: 'linear', floor: 1 }, after.offscreen.heapUsedBytes / 1e6)
      collect.add({ key: 'peers.worker.heap', name: 'worker JS heap (after GC)', unit: 'MB', expected: 'linear', floor: 1 }, after.worker.heapUsedBytes / 1e6)
      if (cpuPercent != null) collect.add({ key: 'peers.cpu.browser', name: 'idle CPU, whole browser (all its processes)', unit: '% of a core', expected: 'linear', floor: 0.5 }, cpuPercent)
      if (before.offscreen.taskSeconds != null && after.offscreen.taskSeconds != null) {
        collect.add({ key: 'peers.cpu.offscreen', name: 'idle CPU, offscreen document main thread', unit: '% of a core', expected: 'linear', floor: 0.2 }, (after.offscreen.taskSeconds - before.offscreen.taskSeconds) / seconds * 100)
      }
      collect.add({ key: 'peers.keepalive', name: 'keepalive traffic on the wire, all peers, idle', unit: 'B/s', expected: 'linear', floor: 10 }, wirePerSecond)
      const d = await hub.api({ method: 'diagnostics' })
      collect.add({ key: 'peers.offscreen.heap.diagnostics', name: 'offscreen JS heap (diagnostics, no GC)', unit: 'MB', expected: 'linear', floor: 1 }, (d.offscreenJsHeapUsedBytes ?? 0) / 1e6)
      if (count === PEER_COUNTS.at(-1)) {
        if (cpuPercent != null) record('peers.idle.cpu', `idle CPU, whole browser, ${count} contacts connected`, '% of a core', [cpuPercent])
        record('peers.idle.wire', `keepalive traffic, ${count} contacts connected`, 'B/s', [wirePerSecond])
      }
    }
    // Idle as it stays: nothing said for the idle limit (shortened to its least here), every connection is let go.
    if (measured.at(-1) === PEER_COUNTS.at(-1)) {
      await hub.api({ method: 'setLimits', limits: { idleConnectionMs: MIN_IDLE_CONNECTION_MS } })
      const rested = await hub.waitForStatus(s => s.connections === 0, 'every unused connection let go', 60_000)
      const count = rested.peers.filter(p => p.restedAt != null).length
      console.log(`  ${count} of ${nodes.length} contacts resting (connections let go); settling`)
      await sleep(5_000)
      const { cpuPercent, wirePerSecond } = await idleWindow(hub.userDataDir, async () => null)
      if (cpuPercent != null) record('peers.rested.cpu', `idle CPU, whole browser, ${count} contacts resting`, '% of a core', [cpuPercent])
      record('peers.rested.wire', `keepalive traffic, ${count} contacts resting`, 'B/s', [wirePerSecond])
    }
    return collect.series(measured)
  } finally {
    targets.close()
    await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) }))
    await hub.close()
    process.off('unhandledRejection', escaped)
    process.off('uncaughtException', escaped)
  }
}

/** A new peer id, as a contact someone adds. */
async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

/** Contacts added one at a time, and timed, at each size. */
const TIMED_ADDS = 5

/** 10, 100, 1,000 contacts (never reachable: no relay): getStatus and the size of the status it answers. */
async function contacts (): Promise<GrowthSeries[]> {
  const profile = await ExtensionProfile.launch({ name: 'contacts' })
  const collect = new Collector('contacts', 'contacts')
  try {
    const page = await profile.open('options/options.html')
    await allowNamedFunctions(page)
    let added = 0
    for (const count of CONTACT_COUNTS) {
      const started = performance.now()
      // All but the last few, a few at a time (the worker takes them one by one anyway); the last ones alone, timed,
      // each after the status events of the ones before went out, so each time is one addPeer's own.
      while (added < count - TIMED_ADDS) {
        const batch = Math.min(8, count - TIMED_ADDS - added)
        await Promise.all(Array.from({ length: batch }, async (_, i) => await profile.api({ method: 'addPeer', peerId: await newPeerId(), name: `contact ${added + i + 1}` })))
        added += batch
      }
      const adds: number[] = []
      while (added < count) {
        await sleep(250)
        adds.push(await timedCalls(page, { method: 'addPeer', peerId: await newPeerId(), name: `contact ${added + 1}` }, 1))
        added++
      }
      const addOne = median(adds)
      console.log(`  ${count.toLocaleString('en-US')} contacts (added in ${((performance.now() - started) / 1000).toFixed(1)} s)`)
      const status = await profile.status()
      collect.add({ key: 'contacts.getStatus', name: 'getStatus', unit: 'ms', expected: 'linear', floor: 2 }, await timedCalls(page, { method: 'getStatus' }, 20))
      collect.add({ key: 'contacts.status.bytes', name: 'status event size (JSON)', unit: 'kB', expected: 'linear' }, Buffer.byteLength(JSON.stringify(status)) / 1000)
      collect.add({ key: 'contacts.addPeer', name: `addPeer, median of the last ${TIMED_ADDS} added`, unit: 'ms', expected: 'flat', floor: 5 }, addOne)
    }
    return collect.series(CONTACT_COUNTS)
  } finally {
    await profile.close()
  }
}

/** The printed growth table: each series' values by size, the ratio per step, the exponent and the verdict. */
export function formatGrowth (series: GrowthSeries[]): string[] {
  const lines: string[] = []
  for (const s of series) {
    const values = s.values.map((v, i) => `${s.sizes[i]!.toLocaleString('en-US')}: ${formatNumber(v)}`).join('  ')
    const steps = s.steps.map(st => `×${st.ratio.toFixed(2)}`).join(' ')
    lines.push(`  ${s.name.padEnd(56)} ${s.unit.padEnd(11)} ${values.padEnd(44)} steps ${steps.padEnd(14)} k=${s.worstExponent.toFixed(2).padStart(5)}  ${s.verdict}`)
  }
  return lines
}
