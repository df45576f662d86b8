/**
 * Entry point of the background service worker: the brain. The node runs
 * in the offscreen document, which offers its link through a `message`
 * event here (that event also wakes a stopped worker).
 */
import browser from 'webextension-polyfill'
import { isLinkOffer, LINK_REQUEST } from '../link/handshake.ts'
import { makeOffscreenDocument } from './node/index.ts'
import { makeWorkerHost } from './worker-host.ts'

declare const self: ServiceWorkerGlobalScope

const startedAt = performance.now()
const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }

const background = makeWorkerHost({
  offscreenDocument: makeOffscreenDocument(),
  requestLink: () => { browser.runtime.sendMessage({ type: LINK_REQUEST }).catch(() => {}) },
  startedAt,
  log
})

self.addEventListener('message', (event) => {
  if (isLinkOffer(event.data, event.ports)) background.acceptLink(event.ports, event.data.epoch)
})
