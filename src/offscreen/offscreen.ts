/**
 * Entry point of the offscreen document: the muscle. Runs the libp2p node
 * and links to the background worker, offering a new link whenever the
 * worker asks (after each of its restarts).
 */
import { DEFAULT_LINK_TIMEOUT_MS, DEFAULT_WORKER_CALL_TIMEOUT_MS } from '../common/constants.ts'
import type { WorkerApi } from '../link/apis.ts'
import { LINK_OFFER, LINK_REQUEST, type LinkOffer } from '../link/handshake.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { NodeRuntime } from './node-runtime.ts'

const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }

let epoch = 0
// A stopped worker never answers: after a short silence the link is dropped,
// and the next call offers a new one through navigator.serviceWorker, which
// wakes the worker.
const worker = new LinkEnd<WorkerApi>({
  waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS,
  callTimeoutMs: () => DEFAULT_WORKER_CALL_TIMEOUT_MS,
  onNeedLink: () => { void offerLink() }
})

/** Calls the worker until it answers: every call is safe to repeat, and giving up would lose an event. */
const tell = async <K extends keyof WorkerApi & string>(method: K, ...args: Parameters<WorkerApi[K]>): Promise<Awaited<ReturnType<WorkerApi[K]>>> =>
  await retryOnLinkLoss(async () => await worker.call(method, ...args), Infinity)

const runtime = new NodeRuntime({
  sink: {
    deliver: async (peerId, frames) => await tell('deliver', peerId, frames),
    acked: async (peerId, seq) => { await tell('acked', peerId, seq) },
    skipTo: async (peerId, seq) => await tell('skipTo', peerId, seq),
    peerHello: async (peerId, next) => { await tell('peerHello', peerId, next) },
    nextExpected: async (peerId) => await tell('nextExpected', peerId),
    peerClosed: async (peerId) => { await tell('peerClosed', peerId) },
    streamLost: async (peerId) => { await tell('streamLost', peerId) },
    unknownPeerAccepted: async (peerId) => { await tell('unknownPeerAccepted', peerId) }
  },
  woke: () => { void tell('woke') },
  report: (info) => { worker.call('nodeChanged', info).catch(() => {}) },
  log
})

let offering: Promise<void> | undefined

/** Offers the worker a new link; concurrent requests share one offer. */
async function offerLink (): Promise<void> {
  offering ??= makeOffer().finally(() => { offering = undefined })
  await offering
}

async function makeOffer (): Promise<void> {
  const registration = await navigator.serviceWorker.ready
  const toOffscreen = new MessageChannel()
  const toWorker = new MessageChannel()
  epoch += 1
  exposeOnPort(runtime.api(), toOffscreen.port1)
  worker.attach(toWorker.port1, epoch)
  const offer: LinkOffer = { type: LINK_OFFER, epoch }
  registration.active?.postMessage(offer, [toOffscreen.port2, toWorker.port2])
  log('offered link %d', epoch)
}

chrome.runtime.onMessage.addListener((message: unknown) => {
  if ((message as { type?: string } | null)?.type === LINK_REQUEST) void offerLink()
})

addEventListener('pagehide', () => { void runtime.stop() })

void offerLink()
