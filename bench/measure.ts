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
 * `port`: over the long-lived requests port, as Peerlink's pages send;
 * otherwise one `runtime.sendMessage` each.
 */
export async function timedSends ({ peerId, count, port = false }: { peerId: string, count: number, port?: boolean }): Promise<number[]> {
  const runtime = ((globalThis as { browser?: typeof chrome }).browser ?? chrome).runtime
  const requests = port ? runtime.connect({ name: 'peerlink/requests' }) : undefined
  let nextId = 0
  const viaPort = async (envelope: object): Promise<unknown> => await new Promise((resolve) => {
    const id = nextId++
    const answer = (message: { id: number, response: unknown }): void => {
      if (message.id !== id) return
      requests!.onMessage.removeListener(answer)
      resolve(message.response)
    }
    requests!.onMessage.addListener(answer)
    requests!.postMessage({ id, envelope })
  })
  const times: number[] = []
  for (let n = 0; n < count; n++) {
    const started = performance.now()
    const envelope = { api: 'peerlink/1', request: { method: 'send', peerId, text: 'x'.repeat(100), awaitDelivery: true } }
    const response = await (requests != null ? viaPort(envelope) : runtime.sendMessage(envelope)) as
      { ok: boolean, error?: { message: string } }
    if (!response.ok) throw new Error(response.error?.message)
    times.push(performance.now() - started)
  }
  requests?.disconnect()
  return times
}

/**
 * Runs inside one of the extension's pages: sends `count` messages of
 * `bytes` in batches of `batch` with sendMany, waiting out refusals at the
 * pending limit, until the receiver has acknowledged them all.
 */
export async function batchedThroughput ({ peerId, count, bytes, batch }: { peerId: string, count: number, bytes: number, batch: number }): Promise<{ msgPerSec: number, mbPerSec: number }> {
  const call = async (request: object): Promise<any> => {
    const response = await chrome.runtime.sendMessage({ api: 'peerlink/1', request })
    if (!response.ok) throw Object.assign(new Error(response.error.message), { name: response.error.name })
    return response.value
  }
  const text = 'x'.repeat(bytes)
  const started = performance.now()
  let last = ''
  for (let i = 0; i < count; i += batch) {
    const messages = Array.from({ length: Math.min(batch, count - i) }, () => ({ text }))
    while (true) {
      try {
        last = (await call({ method: 'sendMany', peerId, messages }) as Array<{ id: string }>).at(-1)!.id
        break
      } catch (err) {
        if ((err as Error).name !== 'ResourceLimitError') throw err
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    }
  }
  // Acks are cumulative and delivery is in order: the last one delivered means all were. Waiting on it,
  // rather than polling the status, keeps the bench's own requests out of what it measures.
  while ((await call({ method: 'awaitDelivery', id: last, timeoutMs: 60_000 })).state !== 'delivered');
  const seconds = (performance.now() - started) / 1000
  return { msgPerSec: count / seconds, mbPerSec: count * bytes / 1e6 / seconds }
}

/**
 * tsx compiles with esbuild's keepNames, which wraps named functions in the
 * bodies we hand to page.evaluate with a `__name` helper; pages need a no-op one.
 */
export async function allowNamedFunctions (page: { evaluate: (script: string) => Promise<unknown> }): Promise<void> {
  await page.evaluate('globalThis.__name = (f) => f')
}
