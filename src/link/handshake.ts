/**
 * How a link is made. The offscreen document creates two MessageChannels
 * (one per direction, so each Comlink endpoint serves one role) and posts
 * the far ends to the service worker through `navigator.serviceWorker`,
 * which also wakes a stopped worker. The worker asks for a new link with a
 * runtime message whenever it starts without one.
 */
export const LINK_REQUEST = 'peerlink/link-request'
export const LINK_OFFER = 'peerlink/link-offer'
/**
 * Sent to the worker when a call to it goes unanswered for a moment: if
 * Chrome stopped it, the message starts it, and it asks for a new link. A
 * stopped worker's link gives no sign of its own; a running worker ignores this.
 */
export const WORKER_NUDGE = 'peerlink/nudge'

export interface LinkOffer {
  type: typeof LINK_OFFER
  epoch: number
}

/** True when a worker `message` event carries a link offer with its two ports. */
export function isLinkOffer (data: unknown, ports: readonly MessagePort[]): data is LinkOffer {
  return typeof data === 'object' && data != null &&
    (data as LinkOffer).type === LINK_OFFER && typeof (data as LinkOffer).epoch === 'number' &&
    ports.length === 2
}
