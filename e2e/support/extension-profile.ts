import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test'
import type { ApiRequest, ApiResults, MessageView, Status } from '../../src/api/protocol.ts'
import { isTransportFailure, withTransportRetry } from '../../src/api/transport-retry.ts'
import { deserializeError, type SerializedError } from '../../src/common/errors/index.ts'
import { findChromium } from '../../scripts/chromium.mjs'

export const EXTENSION_DIR = resolve(import.meta.dirname, '../../dist/chrome')

export interface ProfileOptions {
  name: string
  headless?: boolean
  /** Reuse a profile directory (to relaunch the same browser); a fresh one by default. */
  userDataDir?: string
}

/** One Chromium profile with the built Peerlink extension loaded: the unit of every end-to-end test. */
export class ExtensionProfile {
  readonly name: string
  readonly context: BrowserContext
  readonly extensionId: string
  readonly userDataDir: string
  readonly #apiPage: Page

  private constructor (name: string, context: BrowserContext, extensionId: string, userDataDir: string, apiPage: Page) {
    this.name = name
    this.context = context
    this.extensionId = extensionId
    this.userDataDir = userDataDir
    this.#apiPage = apiPage
  }

  /** Launches Chromium with the extension and waits for its service worker. */
  static async launch (options: ProfileOptions): Promise<ExtensionProfile> {
    if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
      throw new Error(`no built extension in ${EXTENSION_DIR}: run npm run build first`)
    }
    const executablePath = await findChromium()
    if (executablePath == null) throw new Error('no Chromium found: run npm test, which installs one, or set PEERLINK_CHROMIUM')
    const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), `peerlink-${options.name}-`))
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: options.headless ?? true,
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        ...(process.env.PEERLINK_BROWSER_LOG === '1' ? ['--enable-logging=stderr', '--v=0'] : []),
        // Let ICE use the machine's own address rather than an mDNS name peers here cannot resolve.
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])
      ]
    })
    const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker', { timeout: 30_000 })
    const extensionId = new URL(worker.url()).host
    const apiPage = await context.newPage()
    await apiPage.goto(`chrome-extension://${extensionId}/options/options.html`)
    return new ExtensionProfile(options.name, context, extensionId, userDataDir, apiPage)
  }

  /** The extension's service worker as it is now (Playwright keeps one object across restarts). */
  get worker (): Worker | undefined {
    return this.context.serviceWorkers().find(w => w.url().startsWith(`chrome-extension://${this.extensionId}/`))
  }

  url (path: string): string {
    return `chrome-extension://${this.extensionId}/${path}`
  }

  /** Opens one of the extension's pages in a new tab. */
  async open (path: 'popup/popup.html' | 'options/options.html'): Promise<Page> {
    const page = await this.context.newPage()
    await page.goto(this.url(path))
    return page
  }

  /**
   * Calls the Peerlink API exactly as a page does, repeating it when a worker
   * stop swallowed the answer (as the page client does); rejects with the
   * typed error Peerlink answered.
   */
  async api<M extends keyof ApiResults> (request: Extract<ApiRequest, { method: M }>): Promise<ApiResults[M]> {
    const response = await withTransportRetry(async () => {
      const answer = await this.#apiPage.evaluate(async (req) => await chrome.runtime.sendMessage({ api: 'peerlink/1', request: req }), request) as
        { ok: true, value: ApiResults[M] } | { ok: false, error: SerializedError } | undefined
      // A worker stopped mid-request can also answer nothing at all, or an error of Chrome's.
      if (answer == null) throw new Error(`${this.name}: Peerlink did not answer ${request.method}`)
      if (!answer.ok && isTransportFailure(answer.error.message)) throw deserializeError(answer.error)
      return answer
    })
    if (!response.ok) throw deserializeError(response.error)
    return response.value
  }

  /** Closes the offscreen document from the worker, as Chrome may do at any time. */
  async closeOffscreenDocument (): Promise<void> {
    await this.status() // wakes the worker
    await this.worker!.evaluate(async () => { await chrome.offscreen.closeDocument() })
  }

  async status (): Promise<Status> {
    return await this.api({ method: 'getStatus' })
  }

  async messages (peerId: string, limit = 200): Promise<MessageView[]> {
    return await this.api({ method: 'getMessages', peerId, limit })
  }

  /** Polls the status until `predicate` holds; fails with the last status seen. */
  async waitForStatus (predicate: (status: Status) => boolean, what: string, timeoutMs = 30_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs
    let last: Status | undefined
    while (Date.now() < deadline) {
      last = await this.status()
      if (predicate(last)) return last
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error(`${this.name}: timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 2)}`)
  }

  /** Configures the relay and waits for the reservation on it. */
  async useRelay (address: string): Promise<Status> {
    await this.api({ method: 'setRelays', relays: [address] })
    return await this.waitForStatus(s => s.node === 'running' && s.relays.some(r => r.address === address && r.state === 'reserved'), `a reservation on ${address}`)
  }

  /**
   * Stops the extension's service worker the way Chrome does when it idles
   * (CDP `ServiceWorker.stopWorker`) and waits until it is stopped. While
   * Playwright is attached the worker never idles out by itself.
   */
  async stopServiceWorker (): Promise<void> {
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
        if (Date.now() > deadline) throw new Error(`${this.name}: service worker never became ${what}`)
        await new Promise<void>(resolve => { onUpdate = resolve; setTimeout(resolve, 200) })
      }
    }
    await cdp.send('ServiceWorker.enable')
    await waitFor(() => [...versions.values()].some(v => v.runningStatus === 'running'), 'known')
    const running = [...versions.values()].find(v => v.runningStatus === 'running')!
    await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId })
    await waitFor(() => versions.get(running.versionId)?.runningStatus === 'stopped', 'stopped')
    await cdp.detach()
  }

  async close (): Promise<void> {
    await this.context.close()
  }
}
