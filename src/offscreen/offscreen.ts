/**
 * Entry point of the offscreen document: the muscle. Runs the libp2p node
 * and links to the background worker, offering a new link whenever the
 * worker asks (after each of its restarts).
 */
import { DEFAULT_LINK_TIMEOUT_MS } from '../common/constants.ts'
import type { WorkerApi } from '../link/apis.ts'
import { LINK_OFFER, LINK_REQUEST, type LinkOffer } from '../link/handshake.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { NodeRuntime } from './node-runtime.ts'

const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }

let epoch = 0
const worker = new LinkEnd<WorkerApi>({ waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS, onNeedLink: () => { void offerLink() } })

const runtime = new NodeRuntime({
  sink: {
    // Both are safe to repeat on a new link: the worker drops duplicates.
    deliver: async (peerId, seq, body) => { await retryOnLinkLoss(async () => { await worker.call('deliver', peerId, seq, body) }) },
    acked: async (peerId, seq) => { await retryOnLinkLoss(async () => { await worker.call('acked', peerId, seq) }) }
  },
  report: (info) => { worker.call('nodeChanged', info).catch(() => {}) },
  log
})

async function offerLink (): Promise<void> {
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
