import { ResourceLimitError } from '../../src/common/errors/index.ts'
import type { ExtensionProfile } from './extension-profile.ts'
import type { PeerlinkProfile } from './peerlink-profile.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * Sends `count` numbered messages as an application would: each with its
 * own id (so a send repeated after a worker stop is recognised), waiting
 * whenever the outbox is at its pending-messages limit.
 */
export async function sendNumbered (from: PeerlinkProfile, toPeerId: string, prefix: string, count: number, onProgress?: (sent: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sendWaiting(from, toPeerId, `${prefix}-${i}`, `${prefix}-${i}`)
    await onProgress?.(i + 1)
  }
}

/** Sends one message with its own id, waiting whenever the outbox is at its pending-messages limit; other refusals are thrown. */
export async function sendWaiting (from: PeerlinkProfile, toPeerId: string, text: string, id: string): Promise<void> {
  while (true) {
    try {
      await from.api({ method: 'send', peerId: toPeerId, text, id })
      return
    } catch (err) {
      if (!(err instanceof ResourceLimitError && err.data.limitType === 'pending-messages')) throw err
      await sleep(25)
    }
  }
}

/** Waits until the receiver holds `count` messages from the sender and the sender's outbox is empty. */
export async function waitForAll (from: PeerlinkProfile, to: PeerlinkProfile, count: number, timeoutMs: number): Promise<{ received: string[], pending: number }> {
  const fromId = (await from.status()).peerId!
  const toId = (await to.status()).peerId!
  const deadline = Date.now() + timeoutMs
  while (true) {
    const received = (await to.messages(fromId, 10_000)).filter(m => m.direction === 'in').map(m => m.text)
    const pending = (await from.status()).peers.find(p => p.peerId === toId)?.pending.messages ?? -1
    if ((received.length >= count && pending === 0) || Date.now() > deadline) return { received, pending }
    await sleep(250)
  }
}

/** Stops a profile's service worker about every `everyMs`, as Chrome does to idle workers; pausable. */
export function keepStoppingWorker (profile: ExtensionProfile, everyMs: number): { stops: () => number, pause: () => Promise<void>, resume: () => void, end: () => Promise<number> } {
  let stops = 0
  let running = true
  let paused = false
  let current: Promise<void> = Promise.resolve()
  const loop = (async () => {
    while (running) {
      await sleep(everyMs * (0.75 + Math.random() * 0.5))
      if (!running || paused) continue
      current = profile.stopServiceWorker().then(() => { stops++ }, () => {})
      await current
    }
  })()
  return {
    stops: () => stops,
    pause: async () => { paused = true; await current },
    resume: () => { paused = false },
    end: async () => { running = false; await loop; return stops }
  }
}

/** The numbered texts `prefix-0` … `prefix-(count-1)`, in order. */
export function numbered (prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
}
