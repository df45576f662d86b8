/**
 * Firefox ↔ Chromium: the same layers between a Firefox profile (one
 * persistent background page) and a Chromium profile (worker + offscreen
 * document), and how long a reloaded Firefox background takes to deliver again.
 */
import { pairUp } from '../../e2e/fixtures.ts'
import { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { FirefoxProfile } from '../../e2e/support/firefox-profile.ts'
import type { RelayProcess } from '../../e2e/support/relay-process.ts'
import { allowNamedFunctions, streamRoundTripMs, streamThroughputMBps, timedSends } from '../measure.ts'
import { percentile } from '../stats.ts'

type Record = (key: string, name: string, unit: string, runs: number[]) => void
/** Keeps per-message times (ms) for the report's histograms. */
type KeepSamples = (key: string, values: number[]) => void

const MiB = 1024 * 1024

/** Measures a Firefox and a Chromium profile on `relay`, `runs` times each. */
export async function benchFirefox (relay: RelayProcess, record: Record, runs: number, keepSamples: KeepSamples = () => {}): Promise<void> {
  const [firefox, chromium] = await Promise.all([FirefoxProfile.launch({ name: 'firefox' }), ExtensionProfile.launch({ name: 'chromium' })])
  try {
    const [firefoxId, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
    const started = performance.now()
    await firefox.api({ method: 'send', peerId: chromiumId, text: 'connect', awaitDelivery: true })
    record('firefox.first', 'Firefox → Chromium, first message (dial included)', 'ms', [performance.now() - started])
    // The speed tests want the direct connection; the relay may carry the first message while WebRTC comes up.
    await firefox.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')

    const toChromium: number[] = []
    const toFirefox: number[] = []
    const rtt: number[] = []
    for (let i = 0; i < runs; i++) {
      toChromium.push(await streamThroughputMBps(firefox, chromiumId, 32 * MiB))
      toFirefox.push(await streamThroughputMBps(chromium, firefoxId, 32 * MiB))
      rtt.push(await streamRoundTripMs(firefox, chromiumId))
    }
    record('firefox.libp2p.throughput.out', 'libp2p stream Firefox → Chromium, 64 KiB messages', 'MB/s', toChromium)
    record('firefox.libp2p.throughput.in', 'libp2p stream Chromium → Firefox, 64 KiB messages', 'MB/s', toFirefox)
    record('firefox.libp2p.rtt', 'libp2p stream round trip Firefox ↔ Chromium, 100 B (median of 200)', 'ms', rtt)

    // Timed inside a Firefox page, as an application would see it.
    const page = await firefox.open('options/options.html')
    await allowNamedFunctions(page)
    const latencies: number[][] = []
    for (let i = 0; i < runs; i++) latencies.push(await page.evaluate(timedSends, { peerId: chromiumId, count: 200 }))
    record('firefox.latency.p50', 'Peerlink Firefox → Chromium send → delivered, 100 B, p50', 'ms', latencies.map(t => percentile(t, 0.5)))
    record('firefox.latency.p99', 'Peerlink Firefox → Chromium send → delivered, 100 B, p99', 'ms', latencies.map(t => percentile(t, 0.99)))
    keepSamples('firefox.latency', latencies.flat())

    const afterReload: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      await firefox.restartBackground()
      await chromium.api({ method: 'send', peerId: firefoxId, text: `after reload ${i}`, awaitDelivery: true })
      afterReload.push(performance.now() - t)
    }
    record('firefox.reload.delivery', 'Firefox add-on reloaded → next message from Chromium delivered', 'ms', afterReload)
  } finally {
    await Promise.all([firefox.close(), chromium.close()])
  }
}
