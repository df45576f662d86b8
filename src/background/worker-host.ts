/**
 * The worker's half of the extension, whatever context it runs in: the
 * Background and the extension events it answers. Chrome runs it in the
 * service worker; Firefox in its persistent background page.
 */
import browser from 'webextension-polyfill'
import { ApiServer } from './api-server.ts'
import { Background } from './background.ts'
import { makeExtensionStorage } from './extension-storage.ts'
import { HEARTBEAT_ALARM, makeHeartbeatAlarm } from './heartbeat-alarm.ts'
import type { OffscreenDocument } from './offscreen-document.ts'

export interface WorkerHostOptions {
  /** Where the node's half runs, and how to (re)create it. */
  offscreenDocument: OffscreenDocument
  /** Asks a running node's half to offer a new link. */
  requestLink: () => void
  /** `performance.now()` when the context's script started. */
  startedAt: number
  log: (format: string, ...args: unknown[]) => void
}

/**
 * Builds the Background and registers every listener synchronously (Chrome
 * only delivers events to listeners registered in the first turn); each
 * boots the Background idempotently, so any event can be the first.
 */
export function makeWorkerHost ({ offscreenDocument, requestLink, startedAt, log }: WorkerHostOptions): Background {
  // Manifest V2 (Firefox's persistent page) names the toolbar button browserAction.
  const action = browser.action ?? browser.browserAction
  const background = new Background({
    storage: makeExtensionStorage(),
    offscreenDocument,
    requestLink,
    startedAt,
    showBadge: (total) => {
      void action.setBadgeText({ text: total === 0 ? '' : total > 99 ? '99+' : String(total) })
      void action.setBadgeBackgroundColor({ color: '#1f6feb' })
    },
    log
  })

  const heartbeat = makeHeartbeatAlarm(browser.alarms)
  /** The alarm beats fast while there is work and slowly otherwise (see heartbeat-alarm.ts). */
  const keepHeartbeat = async (): Promise<void> => { await heartbeat.keep(await background.busy()) }

  const boot = (): void => {
    background.boot().then(keepHeartbeat).catch((err: unknown) => { log('boot failed: %o', err) })
  }

  browser.runtime.onMessage.addListener((message: unknown) => {
    if (!ApiServer.isApiMessage(message)) return undefined
    const answer = background.boot().then(async () => await background.api.handle(message), async () => await background.api.handle(message))
    void answer.then(keepHeartbeat).catch(() => {})
    return answer
  })

  browser.runtime.onConnect.addListener((port) => { background.subscribe(port) })

  browser.runtime.onInstalled.addListener(boot)
  browser.runtime.onStartup.addListener(boot)

  // The heartbeat re-creates the node's half if the browser ever closed it,
  // notices wakes across restarts, expires old messages and retries pending ones.
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== HEARTBEAT_ALARM) return
    background.heartbeat((alarm.periodInMinutes ?? 0) * 60_000).then(keepHeartbeat).catch((err: unknown) => { log('heartbeat failed: %o', err) })
  })

  boot()
  return background
}
