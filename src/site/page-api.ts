import { deserializeError } from '../common/errors/index.ts'
import type { SerializedError } from '../common/errors/index.ts'
import type { ClientEvent, PeerlinkClient } from '../client/peerlink-client.ts'

/** Event names `window.peerlink` dispatches, each a CustomEvent whose `detail` is the payload. */
export const PAGE_EVENTS = ['subscribed', 'status', 'messages', 'refused'] as const

/**
 * `window.peerlink`: the client's requests, and its events as an
 * EventTarget — `subscribed` (read again what you show), `status` (detail:
 * ClientStatus), `messages` (detail: MessageView[]), `refused` (detail: the
 * NotAuthorizedError). The events port opens with the first listener.
 */
export interface PagePeerlink extends EventTarget, Omit<PeerlinkClient, 'subscribe'> {
  /** Calls `listener` with every raw event (`{ type, … }`); returns the unsubscribe. */
  subscribe: (listener: (event: ClientEvent) => void) => () => void
}

/** The page's `window.peerlink` over `client`. */
export function makePagePeerlink (client: PeerlinkClient): PagePeerlink {
  const target = new EventTarget()
  const listeners = new Set<(event: ClientEvent) => void>()
  let subscription: (() => void) | undefined

  const dispatch = (event: ClientEvent): void => {
    for (const listener of listeners) listener(event)
    switch (event.type) {
      case 'subscribed': target.dispatchEvent(new CustomEvent('subscribed')); break
      case 'client-status': target.dispatchEvent(new CustomEvent('status', { detail: event.status })); break
      case 'messages': target.dispatchEvent(new CustomEvent('messages', { detail: event.messages })); break
      case 'refused': target.dispatchEvent(new CustomEvent('refused', { detail: deserializeError(event.error as SerializedError) })); break
    }
  }
  // One port for the page however many listeners it adds.
  const start = (): void => { subscription ??= client.subscribe(dispatch) }

  const peerlink: PagePeerlink = Object.assign(target, {
    request: client.request,
    status: client.status,
    send: client.send,
    messages: client.messages,
    delivered: client.delivered,
    subscribe: (listener: (event: ClientEvent) => void) => {
      listeners.add(listener)
      start()
      return () => { listeners.delete(listener) }
    }
  })
  const addEventListener = target.addEventListener.bind(target)
  peerlink.addEventListener = (type, listener, options) => {
    addEventListener(type, listener, options)
    if ((PAGE_EVENTS as readonly string[]).includes(type)) start()
  }
  return peerlink
}
