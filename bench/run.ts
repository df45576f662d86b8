/**
 * `npm run bench`: two Chromium profiles and a local relay; measures Peerlink
 * end to end through its API. Prints a table and writes bench/results.json.
 * Figures only: nothing here passes or fails on time.
 */
import { writeFileSync } from 'node:fs'
import { ExtensionProfile } from '../e2e/support/extension-profile.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'

const ROUND_TRIPS = 200
const REPEATS = 5
const WAKES = 20

interface Figure { name: string, unit: string, median: number, runs: number[] }

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]! }
const percentile = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]! }

const relay = await RelayProcess.start()
const [alice, bob] = await Promise.all([ExtensionProfile.launch({ name: 'bench-a' }), ExtensionProfile.launch({ name: 'bench-b' })])
await Promise.all([alice.useRelay(relay.address), bob.useRelay(relay.address)])
const aliceId = (await alice.status()).peerId!
const bobId = (await bob.status()).peerId!
await alice.api({ method: 'addPeer', peerId: bobId })
await bob.api({ method: 'addPeer', peerId: aliceId })

const page = await alice.open('options/options.html')
/** Sends `count` messages one after another, each awaited to delivery, inside the extension page. */
const sendSequential = async (count: number, size: number): Promise<number[]> => await page.evaluate(async ({ peerId, count, size }) => {
  const text = 'x'.repeat(size)
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    const response = await chrome.runtime.sendMessage({ api: 'peerlink/1', request: { method: 'send', peerId, text, awaitDelivery: true } })
    if (!response.ok) throw new Error(response.error.message)
    times.push(performance.now() - started)
  }
  return times
}, { peerId: bobId, count, size })

const firstStarted = performance.now()
await sendSequential(1, 16)
const firstDelivery = performance.now() - firstStarted

const figures: Figure[] = [{ name: 'first message, including the WebRTC dial', unit: 'ms', median: firstDelivery, runs: [firstDelivery] }]
const p50s: number[] = []
const p99s: number[] = []
const rates: number[] = []
for (let r = 0; r < REPEATS; r++) {
  const times = await sendSequential(ROUND_TRIPS, 100)
  p50s.push(percentile(times, 0.5))
  p99s.push(percentile(times, 0.99))
  rates.push(ROUND_TRIPS / (times.reduce((a, b) => a + b, 0) / 1000))
}
figures.push({ name: `send → delivered, 100 B, p50 (${ROUND_TRIPS} sequential)`, unit: 'ms', median: median(p50s), runs: p50s })
figures.push({ name: `send → delivered, 100 B, p99 (${ROUND_TRIPS} sequential)`, unit: 'ms', median: median(p99s), runs: p99s })
figures.push({ name: 'sequential delivered messages per second, 100 B', unit: 'msg/s', median: median(rates), runs: rates })

// Wake: Chrome stops the worker; the next API call starts it, and it re-links to the offscreen document.
const firstCalls: number[] = []
const wakeToRunning: number[] = []
for (let i = 0; i < WAKES; i++) {
  await alice.stopServiceWorker()
  const started = performance.now()
  let status = await alice.status()
  while (status.link.firstCallAfterStartMs == null) status = await alice.status()
  wakeToRunning.push(performance.now() - started)
  firstCalls.push(status.link.firstCallAfterStartMs)
}
figures.push({ name: `worker start → first answered call over the link (${WAKES} wakes)`, unit: 'ms', median: median(firstCalls), runs: firstCalls })
figures.push({ name: 'API call that wakes the worker → link up, seen by the page', unit: 'ms', median: median(wakeToRunning), runs: wakeToRunning })

await Promise.all([alice.close(), bob.close()])
await relay.stop()

console.log('\nPeerlink benchmark (median of runs)')
for (const f of figures) console.log(`  ${f.name.padEnd(58)} ${f.median.toFixed(2).padStart(10)} ${f.unit}`)
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), figures }, null, 2) + '\n')
console.log('\nwritten to bench/results.json')
