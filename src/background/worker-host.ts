/**
 * The worker's half of the extension, whatever context it runs in: the
 * Background and the extension events it answers. Chrome runs it in the
 * service worker; Firefox in its persistent background page.
 */
import browser from 'webextension-polyfill'
import { isSiteCheck, type SiteCheck, type SiteCheckAnswer } from '../api/allowed-site.ts'
import { REQUESTS_PORT_NAME, type PortRequest } from '../api/protocol.ts'
import { ApiServer, type Caller, type CallerContext, callerOf, makeSiteScripts, type Sender, siteScriptsApis } from './api/index.ts'
import { Background } from './background.ts'
import { makeExtensionStorage } from './extension-storage.ts'
import { HEARTBEAT_ALARM, makeHeartbeatAlarm } from './heartbeat-alarm.ts'
import type { OffscreenDocument } from './node/index.ts'
import { makeCoalescer } from '../common/timing/coalescer.ts'
import { BADGE_DELAY_MS, HEARTBEAT_CHECK_DELAY_MS, NOTICE_PREVIEW_CHARS } from '../common/constants.ts'
import { serializeError, ValidationError } from '../common/errors/index.ts'
import { type Notice, noticeTarget } from './notices.ts'

/** The first-run page, opened once at install and linked from the options page. */
const WELCOME_PAGE = 'welcome/welcome.html'

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
  keepStorageFromContentScripts(log)
  // Manifest V2 (Firefox's persistent page) names the toolbar button browserAction.
  const action = browser.action ?? browser.browserAction
  let badge: string | undefined
  let wantedBadge = ''
  const showBadgeSoon = makeCoalescer(() => {
    if (wantedBadge === badge) return
    // The color first, once, so the text never shows in the default one.
    if (badge == null) void action.setBadgeBackgroundColor({ color: '#1f6feb' })
    badge = wantedBadge
    void action.setBadgeText({ text: badge })
  }, BADGE_DELAY_MS)
  const background = new Background({
    storage: makeExtensionStorage(),
    offscreenDocument,
    requestLink,
    startedAt,
    sites: makeSiteScripts(siteScriptsApis(browser)),
    showBadge: (total) => {
      wantedBadge = total === 0 ? '' : total > 99 ? '99+' : String(total)
      showBadgeSoon()
    },
    notifier: {
      show: (id, notice) => {
        browser.notifications.create(id, { type: 'basic', iconUrl: browser.runtime.getURL('icons/icon-128.png'), ...noticeText(notice) })
          .catch((err: unknown) => { log('notification %s not shown: %o', id, err) })
      },
      clear: (id) => { browser.notifications.clear(id).catch(() => {}) }
    },
    log
  })
  // A click opens the conversation (or the requests) in a tab of its own.
  browser.notifications.onClicked.addListener((id) => {
    const target = noticeTarget(id)
    if (target == null) return
    const query = target.kind === 'request' ? 'tab' : `tab&peer=${encodeURIComponent(target.peerId)}`
    void browser.tabs.create({ url: browser.runtime.getURL(`popup/popup.html?${query}`) })
    void browser.notifications.clear(id)
  })

  const heartbeat = makeHeartbeatAlarm(browser.alarms)
  /** The alarm beats fast while there is work and slowly otherwise (see heartbeat-alarm.ts). */
  const keepHeartbeat = async (): Promise<void> => { await heartbeat.keep(await background.busy()) }
  const keepHeartbeatSoon = makeCoalescer(() => { keepHeartbeat().catch(() => {}) }, HEARTBEAT_CHECK_DELAY_MS)

  const boot = (): void => {
    background.boot().then(keepHeartbeat).catch((err: unknown) => { log('boot failed: %o', err) })
  }

  // Who calls is decided from what the browser says of the sender, never from the message.
  const own: CallerContext = { ownId: browser.runtime.id, ownOrigin: browser.runtime.getURL('').replace(/\/$/, '') }
  const answer = (message: unknown, sender: Sender, external: boolean): Promise<unknown> | undefined => {
    if (!ApiServer.isApiMessage(message)) return undefined
    let caller: Caller
    try {
      caller = callerOf(sender, own, external, (message as { origin?: unknown }).origin)
    } catch (err) {
      return Promise.resolve({ ok: false, error: serializeError(err) })
    }
    const handled = background.boot().then(async () => await background.api.handle(message, caller), async () => await background.api.handle(message, caller))
    void handled.then(keepHeartbeatSoon, keepHeartbeatSoon)
    return handled
  }
  const subscribe = (port: browser.Runtime.Port, external: boolean): void => {
    try {
      background.subscribe(port, callerOf(port.sender ?? {}, own, external))
    } catch (err) {
      port.postMessage({ type: 'refused', error: serializeError(err) })
      port.disconnect()
    }
  }

  /** The bridge asks whether its document's origin is allowed: answered from the sender, never listed as a request. */
  const answerSiteCheck = async (check: SiteCheck, sender: Sender): Promise<SiteCheckAnswer> => {
    let caller: Caller
    try {
      caller = callerOf(sender, own, false, check.origin)
    } catch {
      return { allowed: false }
    }
    return { allowed: caller.kind === 'client' && await background.allowed(caller.client) }
  }

  browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) =>
    isSiteCheck(message) ? answerSiteCheck(message, sender) : answer(message, sender, false))
  // Peerlink's own pages, allowed sites' bridges and clients send their requests over a long-lived port: each one answered as the same message sent one-shot would be.
  const serveRequests = (port: browser.Runtime.Port, external: boolean): void => {
    port.onMessage.addListener((message: unknown) => {
      const { id, envelope } = (message ?? {}) as Partial<PortRequest>
      if (typeof id !== 'number') return
      const answered = answer(envelope, port.sender ?? {}, external) ?? Promise.resolve({ ok: false, error: serializeError(new ValidationError('request', 'not a Peerlink API request')) })
      void answered.then((response) => {
        try {
          port.postMessage({ id, response })
        } catch {
          // The page went away meanwhile.
        }
      })
    })
  }
  // A client's requests port (an allowed site's bridge, another extension) is also adopted as one of its ports: counted, bounded, closed when it is revoked.
  browser.runtime.onConnect.addListener((port) => {
    if (port.name === REQUESTS_PORT_NAME) serveRequests(port, false)
    subscribe(port, false)
  })
  // Other extensions: clients, once the user allows them.
  browser.runtime.onMessageExternal.addListener((message: unknown, sender: browser.Runtime.MessageSender) => answer(message, sender, true))
  browser.runtime.onConnectExternal.addListener((port) => {
    if (port.name === REQUESTS_PORT_NAME) serveRequests(port, true)
    subscribe(port, true)
  })

  browser.runtime.onInstalled.addListener(({ reason }) => {
    boot()
    // A first install only: an update or a browser start must not greet someone who set Peerlink up long ago.
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PAGE) }).catch((err: unknown) => { log('welcome page not opened: %o', err) })
  })
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

/** A notice in the person's language: the title and the line under it. */
function noticeText (notice: Notice): { title: string, message: string } {
  const t = (key: string, ...substitutions: string[]): string => browser.i18n.getMessage(key, substitutions)
  switch (notice.kind) {
    case 'messages': {
      const last = notice.last.kind === 'text' ? preview(notice.last.text) : t('noticeFile')
      return { title: notice.name, message: notice.count === 1 ? last : t('noticeMessages', String(notice.count), last) }
    }
    case 'request': return { title: t('noticeRequestTitle'), message: t('noticeRequest', notice.peerId) }
    case 'gave-up': return { title: t('noticeGaveUpTitle', notice.name), message: t('noticeGaveUp') }
  }
}

/** The start of a message, on one line: a notification shows a few lines at most. */
function preview (text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length <= NOTICE_PREVIEW_CHARS ? line : `${line.slice(0, NOTICE_PREVIEW_CHARS - 1)}…`
}

/**
 * `storage.local` holds the identity key, the clients the user allowed and
 * the settings; by default content scripts (the bridge on allowed sites)
 * may read and write it too, so a compromised renderer could read the key
 * or allow itself. Chrome lets an extension keep it to its own pages and
 * worker (the level persists; set again at every start). Firefox offers
 * `setAccessLevel` for `storage.session` only: there its content scripts
 * keep their access.
 */
function keepStorageFromContentScripts (log: (format: string, ...args: unknown[]) => void): void {
  const local = (globalThis as { chrome?: { storage?: { local?: { setAccessLevel?: (options: { accessLevel: string }) => Promise<void> } } } }).chrome?.storage?.local
  if (typeof local?.setAccessLevel !== 'function') return
  local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch((err: unknown) => { log('storage.local stays open to content scripts: %o', err) })
}
