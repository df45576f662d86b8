/**
 * Peerlink's content script in the isolated world of an allowed page's top
 * frame: it carries `window.peerlink`'s requests and event ports to
 * Peerlink's worker, stamped with the page's origin from `location` (the
 * worker checks it against the sender the browser reports). Requests go
 * over one long-lived port, as Peerlink's own pages send theirs. A document
 * whose origin is not the one its URL names (sandboxed) is served nothing.
 * Built as a classic script: content scripts cannot be modules.
 */
import browser from 'webextension-polyfill'
import * as v from 'valibot'
import { SITE_CHECK_TAG, type SiteCheck, type SiteCheckAnswer } from '../api/allowed-site.ts'
import { withTransportRetry } from '../api/transport-retry.ts'
import { makeOwnWorkerSend } from '../api/own-worker-send.ts'
import { EVENTS_PORT_NAME, type ApiEnvelope } from '../api/protocol.ts'
import { documentIsItsOrigin, isOurs, post, SITE_TAG, ToBridgeSchema, type ToBridge } from './site-message.ts'

/** Set in this isolated world once a bridge runs here (the popup may inject one into a page that has one). */
const RUNNING = Symbol.for('peerlink.bridge')

/**
 * Whether the user allowed this very origin (where match patterns cannot
 * name a port, the scripts also run on the host's other ports). Asked of the
 * worker, which answers from the sender the browser reports: content scripts
 * may not read Peerlink's storage.
 */
async function originAllowed (): Promise<boolean> {
  const check: SiteCheck = { siteCheck: SITE_CHECK_TAG, origin: location.origin }
  const answer = await withTransportRetry(async () => {
    const reply = await browser.runtime.sendMessage(check) as SiteCheckAnswer | undefined
    // A worker that was stopping may answer nothing: ask again.
    if (reply == null) throw new Error('Peerlink did not answer')
    return reply
  })
  return answer.allowed === true
}

/** Carries requests and event ports between the page and the worker until the page goes. */
function startBridge (): void {
  const ports = new Map<number, browser.Runtime.Port>()
  // One-shot messages where no port opens, or one closes before anything came over it.
  const send = makeOwnWorkerSend()

  const forward = (call: number, envelope: Extract<ToBridge, { type: 'request' }>['envelope']): void => {
    // Only its shape is checked here: the worker checks the request in full, as from any caller.
    send({ api: envelope.api, request: envelope.request, origin: location.origin } as ApiEnvelope).then(
      (response: unknown) => { post({ tag: SITE_TAG, to: 'page', type: 'response', call, response }) },
      (err: unknown) => { post({ tag: SITE_TAG, to: 'page', type: 'response', call, failure: err instanceof Error ? err.message : String(err) }) })
  }
  const connect = (id: number): void => {
    if (ports.has(id)) return
    const port = browser.runtime.connect({ name: EVENTS_PORT_NAME })
    ports.set(id, port)
    port.onMessage.addListener((event: unknown) => { post({ tag: SITE_TAG, to: 'page', type: 'event', port: id, event }) })
    port.onDisconnect.addListener(() => {
      ports.delete(id)
      post({ tag: SITE_TAG, to: 'page', type: 'closed', port: id })
    })
  }

  addEventListener('message', (event) => {
    if (!isOurs(event, 'bridge')) return
    const parsed = v.safeParse(ToBridgeSchema, event.data)
    if (!parsed.success) return
    const message = parsed.output
    switch (message.type) {
      case 'hello': post({ tag: SITE_TAG, to: 'page', type: 'ready' }); break
      case 'request': forward(message.call, message.envelope); break
      case 'connect': connect(message.port); break
      case 'disconnect': ports.get(message.port)?.disconnect(); ports.delete(message.port); break
    }
  })
  // The page script may have started first and said hello to no one.
  post({ tag: SITE_TAG, to: 'page', type: 'ready' })
}

/** Serves nothing: says so now, and to every page script that says hello later (either may start first). */
function withdraw (): void {
  addEventListener('message', (event) => {
    if (isOurs(event, 'bridge') && (event.data as { type?: unknown }).type === 'hello') post({ tag: SITE_TAG, to: 'page', type: 'withdrawn' })
  })
  post({ tag: SITE_TAG, to: 'page', type: 'withdrawn' })
}

const scope = globalThis as { [RUNNING]?: true }
if (window.top === window && scope[RUNNING] !== true) {
  scope[RUNNING] = true
  // A sandboxed document on an allowed URL has an opaque origin: it is not the site, whatever its URL says.
  if (!documentIsItsOrigin()) withdraw()
  else originAllowed().then((allowed) => { if (allowed) startBridge(); else withdraw() }, withdraw)
}
