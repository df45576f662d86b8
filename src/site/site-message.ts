/**
 * The messages between an allowed page's two worlds: `window.peerlink` in
 * the page (MAIN world) and Peerlink's bridge in the isolated world. They
 * travel by `window.postMessage` on the page's own window, so everything on
 * the page can see them: they carry nothing the page may not know, and the
 * bridge takes the page's origin from `location`, never from a message.
 */
import * as v from 'valibot'

export const SITE_TAG = 'peerlink/site'

/** From the page to the bridge. */
export const ToBridgeSchema = v.variant('type', [
  /** The page script started: is the bridge there? */
  v.object({ tag: v.literal(SITE_TAG), to: v.literal('bridge'), type: v.literal('hello') }),
  /** One API envelope (the bridge adds the origin), answered by a `response` with the same `call`. */
  v.object({ tag: v.literal(SITE_TAG), to: v.literal('bridge'), type: v.literal('request'), call: v.number(), envelope: v.object({ api: v.string(), request: v.looseObject({ method: v.string() }) }) }),
  /** Open (or close) events port number `port`. */
  v.object({ tag: v.literal(SITE_TAG), to: v.literal('bridge'), type: v.picklist(['connect', 'disconnect']), port: v.number() })
])
export type ToBridge = v.InferOutput<typeof ToBridgeSchema>

/** From the bridge to the page. */
export type ToPage =
  /** The bridge runs and this origin is allowed: requests may go. */
  | { tag: typeof SITE_TAG, to: 'page', type: 'ready' }
  /** This origin is not allowed (another port of an allowed host, where patterns cannot name ports): take `window.peerlink` away. */
  | { tag: typeof SITE_TAG, to: 'page', type: 'withdrawn' }
  /** Peerlink's answer, or the transport failure (a restarting worker) for the page's client to retry. */
  | { tag: typeof SITE_TAG, to: 'page', type: 'response', call: number, response?: unknown, failure?: string }
  | { tag: typeof SITE_TAG, to: 'page', type: 'event', port: number, event: unknown }
  | { tag: typeof SITE_TAG, to: 'page', type: 'closed', port: number }

/**
 * Whether this document's origin is the one its URL names. A document the
 * site serves sandboxed (`Content-Security-Policy: sandbox`) has its URL and
 * an opaque origin ('null'): it is not the site, and gets nothing.
 */
export function documentIsItsOrigin (): boolean {
  return self.origin === location.origin
}

/**
 * Posts `message` to this window only (never to another frame or origin).
 * A sandboxed document's origin is opaque, and only '*' reaches it: there
 * the bridge says no more than that it serves nothing.
 */
export function post (message: ToBridge | ToPage): void {
  window.postMessage(message, documentIsItsOrigin() ? location.origin : '*')
}

/** Whether `event` carries a message of ours for `to`, posted by this very window. */
export function isOurs (event: MessageEvent, to: 'bridge' | 'page'): boolean {
  const data = event.data as { tag?: unknown, to?: unknown } | null
  return event.source === window && typeof data === 'object' && data !== null && data.tag === SITE_TAG && data.to === to
}
