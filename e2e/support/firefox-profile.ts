import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import type { Browser as WebExtensionApi } from 'webextension-polyfill'
import type { ApiRequest } from '../../src/api/protocol.ts'
import { findFirefox } from '../../scripts/browsers.mjs'
import { PeerlinkProfile } from './peerlink-profile.ts'

export const FIREFOX_EXTENSION_DIR = resolve(import.meta.dirname, '../../dist/firefox')

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * One headless Firefox profile with the built `dist/firefox` installed,
 * driven over WebDriver BiDi (Playwright drives only its own patched Firefox).
 */
export class FirefoxProfile extends PeerlinkProfile {
  readonly browser: Browser
  /** The add-on's moz-extension:// host, fixed through a pref so its pages can be opened. */
  readonly uuid: string
  /** Peerlink's own gecko id: what other add-ons call it by. */
  readonly geckoId: string
  /** The moz-extension:// host of every add-on installed beside Peerlink, by its gecko id. */
  readonly #extraUuids: Map<string, string>
  readonly userDataDir: string
  /** The profile directory was the caller's: it stays when the browser closes, to be launched again. */
  readonly #keepDir: boolean
  #apiPage: Page

  private constructor (name: string, browser: Browser, uuid: string, extraUuids: Map<string, string>, userDataDir: string, apiPage: Page, keepDir: boolean) {
    super(name)
    this.browser = browser
    this.uuid = uuid
    this.geckoId = geckoIdOf(FIREFOX_EXTENSION_DIR)
    this.#extraUuids = extraUuids
    this.userDataDir = userDataDir
    this.#keepDir = keepDir
    this.#apiPage = apiPage
  }

  /**
   * Launches Firefox, installs the add-on (and `extraExtensions`, add-on
   * directories whose manifests name a gecko id, beside it) and opens one of
   * its pages to call the API from.
   */
  static async launch ({ name, extraExtensions = [], userDataDir: keptDir, uuid: keptUuid, extensionDir = FIREFOX_EXTENSION_DIR, keepWelcome = false }: { name: string, extraExtensions?: string[], userDataDir?: string, uuid?: string, extensionDir?: string, keepWelcome?: boolean }): Promise<FirefoxProfile> {
    // Optional permissions are granted without a prompt (headless Firefox cannot show one), still only on a click: see `grantSiteAccess`.
    const manifestPath = join(extensionDir, 'manifest.json')
    if (!existsSync(manifestPath)) throw new Error(`no built extension in ${extensionDir}: run npm run build first`)
    const executablePath = await findFirefox()
    if (executablePath == null) throw new Error('no Firefox found: run npm test, which installs one, or set PEERLINK_FIREFOX')
    const geckoId = geckoIdOf(extensionDir)
    const uuid = keptUuid ?? randomUUID()
    const extraUuids = new Map(extraExtensions.map(dir => [geckoIdOf(dir), randomUUID()]))
    const userDataDir = keptDir ?? mkdtempSync(join(tmpdir(), `peerlink-${name}-`))
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      userDataDir,
      args: ['--remote-allow-system-access'],
      // Firefox's WebRTC defaults are kept: it reaches Chromium directly with them.
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid, ...Object.fromEntries(extraUuids) }),
        // The add-on is installed anew at every launch (a temporary install): a profile launched again keeps its data, as a user's does.
        'extensions.webextensions.keepStorageOnUninstall': true,
        'extensions.webextensions.keepUuidOnUninstall': true,
        'extensions.webextOptionalPermissionPrompts': false
      }
    })
    await browser.installExtension(extensionDir)
    for (const dir of extraExtensions) await browser.installExtension(dir)
    const apiPage = await openExtensionPage(browser, uuid, 'options/options.html')
    const profile = new FirefoxProfile(name, browser, uuid, extraUuids, userDataDir, apiPage, keptDir != null)
    // The add-on is installed anew at every launch, and each install opens the welcome tab on its own time:
    // waited for and closed here (unless `keepWelcome`), so it never turns up in the middle of a test.
    if (!keepWelcome) await (await profile.welcomePage()).close()
    return profile
  }

  /** The welcome page the install opened, once it has loaded. */
  async welcomePage (): Promise<Page> {
    const url = `moz-extension://${this.uuid}/welcome/welcome.html`
    const deadline = Date.now() + 15_000
    while (true) {
      // BiDi does not report a moz-extension:// page's address: each page is asked where it is.
      for (const page of await this.browser.pages()) {
        if (await page.evaluate(() => document.readyState !== 'loading' ? location.href : '').catch(() => '') === url) return page
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: the welcome page never opened`)
      await sleep(100)
    }
  }

  /** Opens a page of an add-on installed beside Peerlink, by its gecko id and path. */
  async openExtensionPage (geckoId: string, path: string): Promise<Page> {
    const uuid = this.#extraUuids.get(geckoId)
    if (uuid == null) throw new Error(`${this.name}: no add-on ${geckoId} was installed beside Peerlink`)
    return await openExtensionPage(this.browser, uuid, path)
  }

  protected override async sendFromPage (envelope: { api: string, request: ApiRequest }): Promise<unknown> {
    // A page of an add-on being reloaded is unloaded with it: such a call never got its answer.
    return await this.#apiPage.evaluate(async (message) => await browser.runtime.sendMessage(message), envelope)
      .catch((err: unknown) => { throw new Error(`Receiving end does not exist (${err instanceof Error ? err.message : String(err)})`, { cause: err }) })
  }

  /**
   * Grants Peerlink access to the sites `pattern` matches and the
   * `scripting` permission, as the popup's *Allow this site* asks for them:
   * `permissions.request` from a click on one of Peerlink's pages (Firefox
   * takes it only from user input; the profile's prefs answer the prompt).
   */
  async grantSiteAccess (pattern: string): Promise<void> {
    const page = await this.open('options/options.html')
    try {
      await page.evaluate((origin) => {
        const button = document.createElement('button')
        button.id = 'grant-site-access'
        button.textContent = 'grant'
        button.addEventListener('click', () => {
          browser.permissions.request({ permissions: ['scripting'], origins: [origin] })
            .then((granted) => { button.dataset.outcome = String(granted) }, (err: unknown) => { button.dataset.outcome = String(err) })
        })
        document.body.append(button)
      }, pattern)
      await page.click('#grant-site-access')
      const deadline = Date.now() + 10_000
      let outcome: string | undefined
      while ((outcome = await page.$eval('#grant-site-access', el => (el as HTMLElement).dataset.outcome)) == null) {
        if (Date.now() > deadline) throw new Error(`${this.name}: the permission request was never answered`)
        await sleep(50)
      }
      if (outcome !== 'true') throw new Error(`${this.name}: access to ${pattern} was not granted: ${outcome}`)
    } finally {
      await page.close()
    }
  }

  /** Opens a web page in a new tab and waits for it to load. */
  async openWebPage (url: string): Promise<Page> {
    const page = await this.browser.newPage()
    await page.goto(url)
    return page
  }

  /** Opens one of the add-on's pages in a new tab. */
  async open (path: 'popup/popup.html' | 'options/options.html' | 'welcome/welcome.html'): Promise<Page> {
    return await openExtensionPage(this.browser, this.uuid, path)
  }

  /** What the toolbar button's badge shows (unread messages). */
  async badgeText (): Promise<string> {
    return await this.#apiPage.evaluate(async () => await (globalThis as unknown as { browser: WebExtensionApi }).browser.browserAction.getBadgeText({}))
  }

  /**
   * Records every notification Peerlink shows from now on, with its title
   * and text: the background page's calls to `notifications.create` are seen
   * on their way to Firefox, since headless Firefox closes each at once,
   * before a test could read it. The record lives as long as the page.
   */
  async recordNotifications (): Promise<void> {
    await this.#apiPage.evaluate(async () => {
      const background = await browser.runtime.getBackgroundPage() as unknown as { browser: WebExtensionApi, shownNotices?: unknown[] }
      if (background.shownNotices != null) return
      const shown: unknown[] = background.shownNotices = []
      const { notifications } = background.browser
      const create = notifications.create.bind(notifications)
      type Options = Parameters<typeof create>[0]
      const record = async (id: string, options: Options): Promise<string> => {
        shown.push({ id, title: options.title, message: options.message })
        return await (create as (id: string, options: Options) => Promise<string>)(id, options)
      }
      notifications.create = record as unknown as typeof notifications.create
    })
  }

  /** Every notification shown since `recordNotifications`, with its title and text. */
  async shownNotifications (): Promise<Array<{ id: string, title?: string, message?: string }>> {
    return await this.#apiPage.evaluate(async () => {
      const background = await browser.runtime.getBackgroundPage() as unknown as { shownNotices?: Array<{ id: string, title?: string, message?: string }> }
      return structuredClone(background.shownNotices ?? [])
    })
  }

  /** The heartbeat alarm as Firefox scheduled it. */
  async heartbeat (): Promise<{ periodInMinutes?: number } | undefined> {
    return await this.#apiPage.evaluate(async () => await (globalThis as unknown as { browser: WebExtensionApi }).browser.alarms.get('peerlink/heartbeat'))
  }

  /** When the background page now running started (its `performance.timeOrigin`). */
  async backgroundStartedAt (): Promise<number> {
    return await this.#apiPage.evaluate(async () => (await browser.runtime.getBackgroundPage())!.performance.timeOrigin)
  }

  /**
   * Reloads the add-on, as a user does from about:debugging: the background
   * page, with its node and every connection, ends and starts again. Resolves
   * once the new page answers the API.
   */
  async restartBackground (): Promise<void> {
    const before = await this.backgroundStartedAt()
    await this.#apiPage.evaluate(() => { browser.runtime.reload() }).catch(() => {})
    const deadline = Date.now() + 30_000
    while (true) {
      await sleep(200)
      try {
        const page = await openExtensionPage(this.browser, this.uuid, 'options/options.html')
        await this.#apiPage.close().catch(() => {})
        this.#apiPage = page
        if (await this.backgroundStartedAt() !== before) break
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${this.name}: the background page did not come back`, { cause: err })
      }
    }
    await this.status()
  }

  override async close (): Promise<void> {
    await this.browser.close()
    if (!this.#keepDir) rmSync(this.userDataDir, { recursive: true, force: true })
  }
}

/** The gecko id an add-on's manifest names. */
function geckoIdOf (dir: string): string {
  const id: unknown = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).browser_specific_settings?.gecko?.id
  if (typeof id !== 'string') throw new Error(`${dir}/manifest.json names no gecko id`)
  return id
}

/**
 * Firefox never reports a moz-extension:// page as loaded over BiDi, so the
 * navigation is given a short timeout and the page's location is polled.
 */
async function openExtensionPage (browser: Browser, uuid: string, path: string): Promise<Page> {
  const url = `moz-extension://${uuid}/${path}`
  const page = await browser.newPage()
  await page.goto(url, { timeout: 1_000 }).catch(() => {})
  const deadline = Date.now() + 15_000
  while (await page.evaluate(() => document.readyState === 'complete' ? location.href : '').catch(() => '') !== url) {
    if (Date.now() > deadline) throw new Error(`${url} did not load`)
    await sleep(100)
  }
  return page
}
