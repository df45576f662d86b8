/** Measurements shared by the bench's sections, whichever browser runs each end. */
import type { PeerlinkProfile } from '../e2e/support/peerlink-profile.ts'
import { median } from './stats.ts'

/** Throughput of a raw libp2p stream (the speed-test protocol) from `from` to `peerId`, 64 KiB messages, in MB/s. */
export async function streamThroughputMBps (from: PeerlinkProfile, peerId: string, totalBytes: number): Promise<number> {
  const result = await from.api({ method: 'speedTest', peerId, mode: 'throughput', messageBytes: 64 * 1024, totalBytes })
  if (result.mode !== 'throughput') throw new Error(`a throughput test answered ${result.mode}`)
  return result.bytes / 1e6 / (result.ms / 1000)
}

/** Median round trip of 200 messages of 100 B on a raw libp2p stream from `from` to `peerId`, in ms. */
export async function streamRoundTripMs (from: PeerlinkProfile, peerId: string): Promise<number> {
  const result = await from.api({ method: 'speedTest', peerId, mode: 'round-trip', messageBytes: 100, count: 200 })
  if (result.mode !== 'round-trip') throw new Error(`a round-trip test answered ${result.mode}`)
  return median(result.roundTripsMs)
}

/**
 * Runs inside one of the extension's pages (hand it to `page.evaluate`):
 * sends `count` messages of 100 B one after another, each awaiting
 * delivery, as an application would, and answers each one's time in ms.
 */
export async function timedSends ({ peerId, count }: { peerId: string, count: number }): Promise<number[]> {
  const runtime = ((globalThis as { browser?: typeof chrome }).browser ?? chrome).runtime
  const times: number[] = []
  for (let n = 0; n < count; n++) {
    const started = performance.now()
    const response = await runtime.sendMessage({ api: 'peerlink/1', request: { method: 'send', peerId, text: 'x'.repeat(100), awaitDelivery: true } }) as
      { ok: boolean, error?: { message: string } }
    if (!response.ok) throw new Error(response.error?.message)
    times.push(performance.now() - started)
  }
  return times
}

/**
 * tsx compiles with esbuild's keepNames, which wraps named functions in the
 * bodies we hand to page.evaluate with a `__name` helper; pages need a no-op one.
 */
export async function allowNamedFunctions (page: { evaluate: (script: string) => Promise<unknown> }): Promise<void> {
  await page.evaluate('globalThis.__name = (f) => f')
}
