/**
 * The bench's memory section: the sender keeps sending while the receiver
 * stalls (its worker stopped over and over), and every `sampleEveryMs` the
 * sender's offscreen heap is read after a forced garbage collection
 * (DevTools `HeapProfiler.collectGarbage`, then `Runtime.getHeapUsage`),
 * beside the outbox's bytes: what stays, not what waits to be collected.
 */
import { ResourceLimitError } from '../../src/common/errors/index.ts'
import type { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { keepStoppingWorker } from '../../e2e/support/exchange.ts'
import { ExtensionTargets } from '../devtools-targets.ts'

export interface StallSample {
  /** Milliseconds into the stall. */
  t: number
  /** The sender's offscreen JS heap after a collection. */
  heapBytes: number
  /** The sender's outbox toward the stalled receiver. */
  outboxBytes: number
}

export interface StallMemory {
  samples: StallSample[]
  /** Sends the outbox refused at its cap. */
  refusals: number
}

const KiB = 1024

/** Sends batches of 20 × 8 KiB to `receiverId` for `durationMs` while `receiver`'s worker keeps being stopped; `sender` must be launched with `toolbar: true`. */
export async function memoryUnderStall (sender: ExtensionProfile, receiver: ExtensionProfile, receiverId: string, durationMs: number, sampleEveryMs: number): Promise<StallMemory> {
  const targets = await ExtensionTargets.connect(sender.userDataDir, sender.extensionId)
  const offscreen = await targets.attach('offscreen')
  const stopper = keepStoppingWorker(receiver, 100)
  const samples: StallSample[] = []
  let refusals = 0
  try {
    const started = performance.now()
    let nextSample = sampleEveryMs
    while (performance.now() - started < durationMs) {
      try {
        await sender.api({ method: 'sendMany', peerId: receiverId, messages: Array.from({ length: 20 }, () => ({ text: 'm'.repeat(8 * KiB) })) })
      } catch (err) {
        if (!(err instanceof ResourceLimitError)) throw err
        refusals++
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      const t = performance.now() - started
      if (t < nextSample) continue
      nextSample += sampleEveryMs
      const { heapUsedBytes } = await offscreen.usage()
      const { outboxBytes } = await sender.api({ method: 'diagnostics' })
      samples.push({ t, heapBytes: heapUsedBytes, outboxBytes })
    }
  } finally {
    await stopper.end()
    targets.close()
  }
  return { samples, refusals }
}
