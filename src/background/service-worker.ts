/**
 * Entry point of the background service worker: the brain. Every listener
 * is registered synchronously at the top level (Chrome only delivers events
 * to listeners registered in the first turn) and boots the worker
 * idempotently, so any event can be the first after a restart.
 */
import browser from 'webextension-polyfill'
import { isLinkOffer, LINK_REQUEST } from '../link/handshake.ts'
import { ApiServer } from './api-server.ts'
import { Background, HEARTBEAT_PERIOD_MS } from './background.ts'
import { makeExtensionStorage } from './extension-storage.ts'
import { makeOffscreenDocument } from './offscreen-document.ts'

declare const self: ServiceWorkerGlobalScope

const startedAt = performance.now()

const HEARTBEAT_ALARM = 'peerlink/heartbeat'

const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }
const offscreenDocument = makeOffscreenDocument()

const background = new Background({
  storage: makeExtensionStorage(),
  offscreenDocument,
  requestLink: () => { browser.runtime.sendMessage({ type: LINK_REQUEST }).catch(() => {}) },
  startedAt,
  showBadge: (total) => {
    void browser.action.setBadgeText({ text: total === 0 ? '' : total > 99 ? '99+' : String(total) })
    void browser.action.setBadgeBackgroundColor({ color: '#1f6feb' })
  },
  log
})

const boot = (): void => {
  background.boot().catch((err: unknown) => { log('boot failed: %o', err) })
}

self.addEventListener('message', (event) => {
  if (isLinkOffer(event.data, event.ports)) background.acceptLink(event.ports, event.data.epoch)
})

browser.runtime.onMessage.addListener((message: unknown) => {
  if (!ApiServer.isApiMessage(message)) return undefined
  return background.boot().then(async () => await background.api.handle(message), async () => await background.api.handle(message))
})

browser.runtime.onConnect.addListener((port) => { background.subscribe(port) })

browser.runtime.onInstalled.addListener(boot)
browser.runtime.onStartup.addListener(boot)

// The heartbeat re-creates the offscreen document if Chrome ever closed it,
// notices wakes across worker restarts, expires old messages and retries pending ones.
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === HEARTBEAT_ALARM) background.heartbeat().catch((err: unknown) => { log('heartbeat failed: %o', err) })
})
// Created only when missing: creating it again would restart its period at every worker start.
void browser.alarms.get(HEARTBEAT_ALARM).then(async (alarm) => {
  if (alarm == null) await browser.alarms.create(HEARTBEAT_ALARM, { periodInMinutes: HEARTBEAT_PERIOD_MS / 60_000 })
})

boot()
