import { SITE_TAG } from '../../src/site/site-message.ts'
import type { PagePeerlink } from '../../src/site/page-api.ts'

/** Runs a function in a web page: Playwright's and Puppeteer's `page.evaluate` alike. */
export type Evaluate = <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>

/** What a page of an allowed site's origin gets of Peerlink, and what the bridge told it. */
export interface SeenBySandbox {
  /** `self.origin` as the page sees it: 'null' when sandboxed. */
  origin: string
  hasPeerlink: boolean
  /** The types of the bridge's messages to the page, in order. */
  fromBridge: string[]
}

/**
 * In a sandboxed page of an allowed site, does what a script of that page
 * can: talks to Peerlink's bridge over `window.postMessage` directly (the
 * bridge's messages to the page would not reach an opaque origin, and a
 * hostile script needs no answer). It says hello, then asks the bridge to
 * send `text` to `peerId` under `id` and to open an events port. Answers once
 * the bridge said whether it serves this page ('ready' or 'withdrawn'), with
 * what the page saw.
 */
export async function useBridgeFromSandbox (evaluate: Evaluate, { peerId, text, id }: { peerId: string, text: string, id: string }): Promise<SeenBySandbox> {
  return await evaluate(async ([tag, to, message, messageId]) => {
    const fromBridge: string[] = []
    const decided = new Promise<void>((resolve) => {
      addEventListener('message', (event: MessageEvent<{ tag?: string, to?: string, type?: string }>) => {
        if (event.data?.tag !== tag || event.data.to !== 'page' || event.data.type == null) return
        fromBridge.push(event.data.type)
        if (event.data.type === 'ready' || event.data.type === 'withdrawn') resolve()
      })
    })
    const post = (data: object): void => { window.postMessage({ tag, to: 'bridge', ...data }, '*') }
    post({ type: 'hello' })
    post({ type: 'request', call: 1, envelope: { api: 'peerlink/1', request: { method: 'send', peerId: to, text: message, id: messageId } } })
    post({ type: 'connect', port: 1 })
    await decided
    return { origin: self.origin, hasPeerlink: 'peerlink' in window, fromBridge }
  }, [SITE_TAG, peerId, text, id] as const)
}

/** Sends `text` from an allowed page's `window.peerlink` and waits until it is delivered. */
export async function sendFromPage (evaluate: Evaluate, peerId: string, text: string): Promise<string> {
  return await evaluate(async ([to, message]) => {
    const { peerlink } = window as unknown as { peerlink: PagePeerlink }
    return (await peerlink.send(to, { text: message }, { awaitDelivery: true })).state
  }, [peerId, text] as const)
}
