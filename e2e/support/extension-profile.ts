import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test'
import type { ApiRequest } from '../../src/api/protocol.ts'
import { findChromium } from '../../scripts/browsers.mjs'
import { PeerlinkProfile } from './peerlink-profile.ts'
import { BrowserDevTools, type ExtensionPopup } from './toolbar.ts'

export const EXTENSION_DIR = resolve(import.meta.dirname, '../../dist/chrome')

export interface ProfileOptions {
  name: string
  headless?: boolean
  /** Reuse a profile directory (to relaunch the same browser); a fresh one by default. */
  userDataDir?: string
  /** The Chromium to run, e.g. a wrapper that runs it inside a network namespace; the one found on this machine by default. */
  executablePath?: string
  /**
   * Keep Chromium's default of hiding host ICE candidates behind mDNS names,
   * as users have it (tests across NATs). Off by default: peers on this one
   * machine cannot resolve those names, so the same-machine tests show ICE the real address.
   */
  mdnsHostNames?: boolean
  /** The browser's language (`de`, `en`, …): Peerlink's pages follow it; English by default. */
  locale?: string
  /** Peerlink's own directory: the build (`dist/chrome`) by default, or, say, an unzipped store package. */
  extensionDir?: string
  /** Unpacked extensions loaded beside Peerlink (directories), such as a client of Peerlink's. */
  extraExtensions?: string[]
  /**
   * Let the test press Peerlink's toolbar button (`pressToolbarButton`):
   * opens a browser-level DevTools port on loopback and allows the
   * extension commands of the DevTools protocol.
   */
  toolbar?: boolean
  /**
   * Leave the welcome page Peerlink opens at install (`welcomePage()` finds
   * it). Closed by default, before `launch` answers, so no test meets a tab
   * it did not open. Chromium installs an extension given on the command
   * line anew at every launch, so a profile launched again sees it too.
   */
  keepWelcome?: boolean
}

/** How long the install's welcome tab may take to show after the worker started. */
const WELCOME_TIMEOUT_MS = 15_000

/** What Chrome's extensions page tells about one installed extension (`chrome.developerPrivate`, which that page uses). */
interface InstalledExtension { id: string, name: string, path?: string }

/** One Chromium profile with the built Peerlink extension loaded: the unit of every end-to-end test. */
export class ExtensionProfile extends PeerlinkProfile {
  readonly context: BrowserContext
  readonly extensionId: string
  readonly userDataDir: string
  #apiPage: Page
  #devTools: BrowserDevTools | undefined

  private constructor (name: string, context: BrowserContext, extensionId: string, userDataDir: string, apiPage: Page) {
    super(name)
    this.context = context
    this.extensionId = extensionId
    this.userDataDir = userDataDir
    this.#apiPage = apiPage
  }

  /** Launches Chromium with the extension and waits for its service worker. */
  static async launch (options: ProfileOptions): Promise<ExtensionProfile> {
    const extensionDir = resolve(options.extensionDir ?? EXTENSION_DIR)
    if (!existsSync(join(extensionDir, 'manifest.json'))) {
      throw new Error(`no built extension in ${extensionDir}: run npm run build first`)
    }
    const executablePath = options.executablePath ?? await findChromium()
    if (executablePath == null) throw new Error('no Chromium found: run npm test, which installs one, or set PEERLINK_CHROMIUM')
    const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), `peerlink-${options.name}-`))
    const extensions = [extensionDir, ...(options.extraExtensions ?? []).map(dir => resolve(dir))].join(',')
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: options.headless ?? true,
      // Chromium on Linux takes its interface language, which chrome.i18n follows, from the environment and --lang.
      ...(options.locale == null ? {} : { locale: options.locale, env: { ...process.env, LANGUAGE: options.locale, LANG: `${options.locale}.UTF-8`, LC_ALL: `${options.locale}.UTF-8` } }),
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        `--disable-extensions-except=${extensions}`,
        `--load-extension=${extensions}`,
        '--no-first-run',
        ...(options.locale == null ? [] : [`--lang=${options.locale}`]),
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        // PEERLINK_VMODULE adds Chromium's own verbose logs, e.g. '*turn_port*=1,*p2p_transport_channel*=1' for ICE.
        ...(process.env.PEERLINK_BROWSER_LOG === '1' ? ['--enable-logging=stderr', '--v=0', ...(process.env.PEERLINK_VMODULE != null ? [`--vmodule=${process.env.PEERLINK_VMODULE}`] : [])] : []),
        // Let ICE use the machine's own address rather than an mDNS name peers here cannot resolve.
        ...(options.mdnsHostNames === true ? [] : ['--disable-features=WebRtcHideLocalIpsWithMdns']),
        ...(options.toolbar === true ? ['--remote-debugging-port=0', '--enable-unsafe-extension-debugging'] : []),
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])
      ]
    })
    // Peerlink's worker, not that of an extension loaded beside it.
    const isPeerlinkWorker = (w: Worker): boolean => new URL(w.url()).pathname === '/service-worker.js'
    const worker = context.serviceWorkers().find(isPeerlinkWorker) ?? await context.waitForEvent('serviceworker', { predicate: isPeerlinkWorker, timeout: 30_000 })
    const extensionId = new URL(worker.url()).host
    const apiPage = await context.newPage()
    await apiPage.goto(`chrome-extension://${extensionId}/options/options.html`)
    const profile = new ExtensionProfile(options.name, context, extensionId, userDataDir, apiPage)
    // The worker opens the welcome tab on its own time: waited for here, so it never turns up in the middle of a test.
    if (options.keepWelcome !== true) await (await profile.welcomePage()).close()
    return profile
  }

  /** The welcome page the install opened, once it has loaded. */
  async welcomePage (): Promise<Page> {
    const url = this.url('welcome/welcome.html')
    const deadline = Date.now() + WELCOME_TIMEOUT_MS
    while (true) {
      const page = this.context.pages().find(p => p.url() === url)
      if (page != null) {
        await page.waitForLoadState('domcontentloaded')
        return page
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: the welcome page never opened; pages: ${this.context.pages().map(p => p.url()).join(', ')}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /** The extension's service worker as it is now (Playwright keeps one object across restarts). */
  get worker (): Worker | undefined {
    return this.context.serviceWorkers().find(w => w.url().startsWith(`chrome-extension://${this.extensionId}/`))
  }

  url (path: string): string {
    return `chrome-extension://${this.extensionId}/${path}`
  }

  /** Opens one of the extension's pages in a new tab. */
  async open (path: 'popup/popup.html' | 'options/options.html' | 'welcome/welcome.html'): Promise<Page> {
    const page = await this.context.newPage()
    await page.goto(this.url(path))
    return page
  }

  /** The extensions Chrome has loaded in this profile, as its extensions page lists them. */
  async installedExtensions (): Promise<InstalledExtension[]> {
    return await this.#onExtensionsPage(async (page) => await page.evaluate(async () => {
      const developerPrivate = (chrome as unknown as { developerPrivate: { getExtensionsInfo: () => Promise<InstalledExtension[]> } }).developerPrivate
      return (await developerPrivate.getExtensionsInfo()).map(({ id, name, path }) => ({ id, name, path }))
    }))
  }

  /** The id Chrome gave the extension loaded from `dir` (one of `extraExtensions`). */
  async extensionIdOf (dir: string): Promise<string> {
    const wanted = resolve(dir)
    const installed = await this.installedExtensions()
    const found = installed.find(e => e.path != null && resolve(e.path) === wanted)
    if (found == null) throw new Error(`${this.name}: no extension loaded from ${wanted}; loaded: ${JSON.stringify(installed)}`)
    return found.id
  }

  /** Opens a page of another extension loaded beside Peerlink, by its id and path. */
  async openExtensionPage (extensionId: string, path: string): Promise<Page> {
    const page = await this.context.newPage()
    await page.goto(`chrome-extension://${extensionId}/${path}`)
    return page
  }

  /**
   * Grants Peerlink access to the sites `pattern` matches (`http://127.0.0.1/*`)
   * as a user does on Chrome's extensions page: the extension's details, Site
   * access, "On specific sites", Add. It calls what that page's own dialog
   * calls (`developerPrivate.addHostPermission`). Chrome keeps the site among
   * the permissions the user granted at runtime, so a later
   * `permissions.request` for it is answered at once without a prompt
   * (`PermissionsRequestFunction` skips the dialog for already granted
   * permissions); headless Chromium offers no other way past the prompt.
   */
  async grantSiteAccess (pattern: string): Promise<void> {
    await this.#onExtensionsPage(async (page) => {
      await page.evaluate(async ([id, host]) => {
        const developerPrivate = (chrome as unknown as { developerPrivate: { addHostPermission: (id: string, host: string) => Promise<void> } }).developerPrivate
        await developerPrivate.addHostPermission(id, host)
      }, [this.extensionId, pattern] as const)
    })
  }

  /**
   * Presses Peerlink's toolbar button over `tab`, as the user clicks it: the
   * real popup opens for that tab, with `activeTab` granted on it. Needs
   * `toolbar: true` at launch.
   */
  async pressToolbarButton (tab: Page): Promise<ExtensionPopup> {
    this.#devTools ??= await BrowserDevTools.connect(this.userDataDir)
    await tab.bringToFront()
    return await this.#devTools.pressToolbarButton(this.extensionId, tab.url())
  }

  /** Disables or enables Peerlink, as the switch on Chrome's extensions page does (`management.setEnabled`). */
  async setPeerlinkEnabled (enabled: boolean): Promise<void> {
    await this.#onExtensionsPage(async (page) => {
      await page.evaluate(async ([id, on]) => { await chrome.management.setEnabled(id, on) }, [this.extensionId, enabled] as const)
    })
  }

  /** Opens the page API calls go through again, once Peerlink runs again (after it was disabled, enabled or reloaded, which closes its pages). */
  async reopenPages (): Promise<void> {
    const isPeerlinkWorker = (w: Worker): boolean => w.url() === `chrome-extension://${this.extensionId}/service-worker.js`
    if (!this.context.serviceWorkers().some(isPeerlinkWorker)) await this.context.waitForEvent('serviceworker', { predicate: isPeerlinkWorker, timeout: 30_000 })
    const page = await this.context.newPage()
    await page.goto(this.url('options/options.html'))
    this.#apiPage = page
  }

  /** Reloads Peerlink from its folder, as the Reload button of Chrome's extensions page does for an update of an unpacked extension. */
  async reloadPeerlink (): Promise<void> {
    await this.#onExtensionsPage(async (page) => {
      await page.evaluate(async (id) => {
        const developerPrivate = (chrome as unknown as { developerPrivate: { reload: (id: string, options: { failQuietly: boolean }) => Promise<void> } }).developerPrivate
        await developerPrivate.reload(id, { failQuietly: true })
      }, this.extensionId)
    })
  }

  async #onExtensionsPage<T> (use: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.context.newPage()
    try {
      await page.goto(`chrome://extensions/?id=${this.extensionId}`)
      return await use(page)
    } finally {
      await page.close()
    }
  }

  /**
   * Collects every incoming message a page sees announced, from `fromPeerId`,
   * in order: what a user watching the conversation sees arrive, even when the
   * history limit later prunes it from storage. The texts reach the test as
   * they arrive, so they outlive the browser. The events port is dropped when
   * the worker stops, so use it where the worker keeps running.
   */
  async collectIncoming (fromPeerId: string): Promise<{ texts: () => string[] }> {
    const seen: string[] = []
    const page = await this.open('popup/popup.html')
    page.on('console', (message) => {
      const text = message.text()
      if (text.startsWith('collected:')) seen.push(text.slice('collected:'.length))
    })
    await page.evaluate((peerId) => {
      const port = chrome.runtime.connect({ name: 'peerlink/events' })
      port.onMessage.addListener((event: { type: string, messages?: Array<{ peerId: string, direction: string, state: string, text: string }> }) => {
        for (const m of event.messages ?? []) if (m.peerId === peerId && m.direction === 'in' && m.state === 'received') console.log(`collected:${m.text}`)
      })
    }, fromPeerId)
    return { texts: () => [...seen] }
  }

  /** What Peerlink keeps in `storage.local` under `key`, read from one of its pages (the worker may be stopped). */
  async stored<T> (key: string): Promise<T | undefined> {
    return await this.#apiPage.evaluate(async (k) => (await chrome.storage.local.get(k))[k], key) as T | undefined
  }

  protected override async sendFromPage (envelope: { api: string, request: ApiRequest }): Promise<unknown> {
    return await this.#apiPage.evaluate(async (message) => await chrome.runtime.sendMessage(message), envelope)
  }

  /**
   * Records every notification Peerlink shows from now on, with its title and
   * text: the worker's calls to `chrome.notifications.create` are seen on
   * their way to the browser, since headless Chromium has no notification
   * centre to read them from. The record lives as long as the worker.
   */
  async recordNotifications (): Promise<void> {
    await this.status() // wakes the worker
    await this.worker!.evaluate(() => {
      type Create = typeof chrome.notifications.create
      const scope = globalThis as unknown as { shownNotices?: unknown[] }
      if (scope.shownNotices != null) return
      const shown: unknown[] = scope.shownNotices = []
      const create: Create = chrome.notifications.create.bind(chrome.notifications)
      chrome.notifications.create = ((id: string, options: chrome.notifications.NotificationOptions) => {
        shown.push({ id, title: options.title, message: options.message })
        return create(id, options as chrome.notifications.NotificationCreateOptions)
      }) as Create
    })
  }

  /** The ids of the notifications on screen (`chrome.notifications.getAll`), and every one shown since `recordNotifications`. */
  async notifications (): Promise<{ open: string[], shown: Array<{ id: string, title: string, message: string }> }> {
    return await this.worker!.evaluate(async () => ({
      open: Object.keys(await chrome.notifications.getAll()),
      shown: (globalThis as unknown as { shownNotices?: Array<{ id: string, title: string, message: string }> }).shownNotices ?? []
    }))
  }

  /** Clicks a notification: the browser's own `notifications.onClicked` event, fired with its id. */
  async clickNotification (id: string): Promise<void> {
    await this.worker!.evaluate((clicked) => {
      (chrome.notifications.onClicked as unknown as { dispatch: (id: string) => void }).dispatch(clicked)
    }, id)
  }

  /** Closes the offscreen document from the worker, as Chrome may do at any time. */
  async closeOffscreenDocument (): Promise<void> {
    await this.status() // wakes the worker
    await this.worker!.evaluate(async () => { await chrome.offscreen.closeDocument() })
  }

  /**
   * Stops the extension's service worker the way Chrome does when it idles
   * (CDP `ServiceWorker.stopWorker`) and waits until it is stopped; answers
   * true. A worker already stopped is first woken by whatever wakes it, or,
   * with `ifRunning`, left stopped (answers false). While Playwright is
   * attached the worker never idles out by itself.
   */
  async stopServiceWorker (options: { ifRunning?: boolean } = {}): Promise<boolean> {
    const cdp = await this.context.newCDPSession(this.#apiPage)
    const scope = `chrome-extension://${this.extensionId}/`
    type Version = { versionId: string, scriptURL: string, runningStatus: string }
    const versions = new Map<string, Version>()
    let onUpdate: (() => void) | undefined
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }: { versions: Version[] }) => {
      for (const v of updated) if (v.scriptURL.startsWith(scope)) versions.set(v.versionId, v)
      onUpdate?.()
    })
    const waitFor = async (predicate: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 10_000
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${this.name}: service worker never became ${what}; versions: ${JSON.stringify([...versions.values()])}`)
        await new Promise<void>(resolve => { onUpdate = resolve; setTimeout(resolve, 200) })
      }
    }
    const running = (): Version | undefined => [...versions.values()].find(v => v.runningStatus === 'running')
    try {
      await cdp.send('ServiceWorker.enable')
      // Enabling reports every version there is; one that is starting or stopping is waited out.
      await waitFor(() => versions.size > 0 && [...versions.values()].every(v => v.runningStatus === 'running' || v.runningStatus === 'stopped'), 'known')
      if (running() == null && options.ifRunning === true) return false
      await waitFor(() => running() != null, 'running')
      const version = running()!
      await cdp.send('ServiceWorker.stopWorker', { versionId: version.versionId })
      await waitFor(() => versions.get(version.versionId)?.runningStatus === 'stopped', 'stopped')
      return true
    } finally {
      await cdp.detach().catch(() => {})
    }
  }

  override async close (): Promise<void> {
    this.#devTools?.close()
    await this.context.close()
  }
}
