/**
 * Entry point of the offscreen document: the muscle. Runs the node's half
 * and offers the service worker a link through `navigator.serviceWorker`
 * (which also wakes a stopped worker) whenever the worker asks.
 */
import { LINK_OFFER, LINK_REQUEST, WORKER_NUDGE, type LinkOffer } from '../link/handshake.ts'
import { makeNodeHost } from './node-host.ts'

const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }

const host = makeNodeHost({
  offer: async (epoch, ports) => {
    const registration = await navigator.serviceWorker.ready
    const offer: LinkOffer = { type: LINK_OFFER, epoch }
    registration.active?.postMessage(offer, ports)
  },
  nudgeWorker: () => {
    void navigator.serviceWorker.ready.then((registration) => { registration.active?.postMessage({ type: WORKER_NUDGE }) })
  },
  log
})

chrome.runtime.onMessage.addListener((message: unknown) => {
  if ((message as { type?: string } | null)?.type === LINK_REQUEST) void host.offerLink()
})

addEventListener('pagehide', () => { void host.stop() })
