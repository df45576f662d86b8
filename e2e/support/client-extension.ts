import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ApiEvent, ApiRequest, ApiResponse, ClientApiResults, ClientId, ClientMethod } from '../../src/api/protocol.ts'
import { withTransportRetry } from '../../src/api/transport-retry.ts'
import { deserializeError, type SerializedError } from '../../src/common/errors/index.ts'
import type { ExtensionProfile } from './extension-profile.ts'
import type { FirefoxProfile } from './firefox-profile.ts'

/** The test client extension's files: a page whose script calls Peerlink by id (`e2e/fixtures/client-extension`). */
export const CLIENT_EXTENSION_FIXTURE = resolve(import.meta.dirname, '../fixtures/client-extension')

/** One copy of the client extension, loaded by every profile that should have "the same app". */
export interface ClientExtension {
  dir: string
  name: string
  /** Firefox's id for it (its manifest names it); Chromium derives one from `dir`. */
  geckoId: string
}

/**
 * Writes a copy of the client extension under its own `name` into a new
 * directory. Chromium gives an unpacked extension an id derived from its
 * directory, so two profiles loading one copy see the same app (the same
 * client id), and two copies are two different apps.
 */
export function makeClientExtension (name: string): ClientExtension {
  const dir = mkdtempSync(join(tmpdir(), `peerlink-client-${name}-`))
  cpSync(CLIENT_EXTENSION_FIXTURE, dir, { recursive: true })
  const geckoId = `${name}@clients.peerlink.test`
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name: `Peerlink test client ${name}` }, null, 2))
  return { dir, name, geckoId }
}

/** The same copy with the gecko id Firefox needs to install and address it; a separate directory, so Chromium never sees the Firefox-only key. */
export function forFirefox (extension: ClientExtension): string {
  const dir = mkdtempSync(join(tmpdir(), `peerlink-client-${extension.name}-firefox-`))
  cpSync(extension.dir, dir, { recursive: true })
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    ...manifest,
    browser_specific_settings: { gecko: { id: extension.geckoId, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } } }
  }, null, 2))
  return dir
}

/** What the fixture's script (`client.js`) offers the page it runs in. */
interface FixtureApi {
  log: { events: ApiEvent[], opened: number, closed: number, refused: number }
  request: (request: unknown, extra?: Record<string, unknown>) => Promise<unknown>
  subscribe: () => void
  unsubscribe: () => void
  subscribed: boolean
}

/** Runs a function in the fixture's page: Playwright's and Puppeteer's `page.evaluate` alike. */
type Evaluate = <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>

type ClientRequest<M extends ClientMethod> = Extract<ApiRequest, { method: M }>

/**
 * The client extension's page open in one browser profile, driven as the
 * app's own code would drive it: every call goes through its script, from its
 * own extension origin, so Peerlink sees the sender the browser reports.
 */
export class ClientPage {
  readonly profile: string
  /** Its client id at Peerlink: `extension:<its id>`. */
  readonly client: ClientId
  readonly #evaluate: Evaluate

  private constructor (profile: string, client: ClientId, evaluate: Evaluate) {
    this.profile = profile
    this.client = client
    this.#evaluate = evaluate
  }

  /** Opens the client's page in a Chromium profile that loaded `extension` beside Peerlink. */
  static async openInChromium (profile: ExtensionProfile, extension: ClientExtension): Promise<ClientPage> {
    const id = await profile.extensionIdOf(extension.dir)
    const page = await profile.openExtensionPage(id, `client.html?peerlink=${profile.extensionId}`)
    await page.waitForFunction(() => 'fixture' in globalThis)
    const evaluate = (async (fn: (arg: unknown) => unknown, arg: unknown) => await page.evaluate(fn, arg)) as Evaluate
    return new ClientPage(profile.name, `extension:${id}`, evaluate)
  }

  /** Opens the client's page in a Firefox profile that installed it (`forFirefox`) beside Peerlink. */
  static async openInFirefox (profile: FirefoxProfile, extension: ClientExtension, peerlinkGeckoId: string): Promise<ClientPage> {
    const page = await profile.openExtensionPage(extension.geckoId, `client.html?peerlink=${encodeURIComponent(peerlinkGeckoId)}`)
    const evaluate = (async (fn: (arg: unknown) => unknown, arg: unknown) => await page.evaluate(fn, arg)) as Evaluate
    await evaluate(async () => {
      while (!('fixture' in globalThis)) await new Promise(resolve => setTimeout(resolve, 50))
    }, null)
    return new ClientPage(profile.name, `extension:${extension.geckoId}`, evaluate)
  }

  /** One request exactly as given (any method, any extra envelope fields): what Peerlink answered, or the browser's error text. */
  async raw (request: unknown, extra: Record<string, unknown> = {}): Promise<ApiResponse | { transportError: string } | undefined> {
    return await this.#evaluate(async ([req, more]) => {
      const fixture = (globalThis as unknown as { fixture: FixtureApi }).fixture
      try {
        return await fixture.request(req, more) as ApiResponse | undefined
      } catch (err) {
        return { transportError: err instanceof Error ? err.message : String(err) }
      }
    }, [request, extra] as const)
  }

  /**
   * Calls Peerlink as the app, repeating a call that a stopping worker left
   * unanswered (as every client does); rejects with the typed error Peerlink
   * answered.
   */
  async api<M extends ClientMethod> (request: ClientRequest<M>): Promise<ClientApiResults[M]> {
    return await this.call(request) as ClientApiResults[M]
  }

  /** Like `api`, for any request, such as one a client may not make. */
  async call (request: unknown, extra: Record<string, unknown> = {}): Promise<unknown> {
    const answer = await withTransportRetry(async () => {
      const response = await this.raw(request, extra)
      if (response == null) throw new Error(`${this.profile}: Peerlink did not answer`)
      if ('transportError' in response) throw new Error(response.transportError)
      return response
    })
    if (!answer.ok) throw deserializeError(answer.error)
    return answer.value
  }

  /** Makes `count` copies of one request at once, as a runaway app would: how many were answered, and the errors of those refused. */
  async flood (request: unknown, count: number): Promise<{ ok: number, refused: SerializedError[] }> {
    return await this.#evaluate(async ([req, n]) => {
      const fixture = (globalThis as unknown as { fixture: FixtureApi }).fixture
      const answers = await Promise.all(Array.from({ length: n }, async () => await fixture.request(req).catch((err: unknown) => ({ ok: false, error: { name: 'TransportError', message: String(err), data: {} } })) as ApiResponse | undefined))
      const refused = answers.flatMap(a => a != null && !a.ok ? [a.error] : [])
      return { ok: answers.filter(a => a?.ok === true).length, refused }
    }, [request, count] as const)
  }

  /**
   * Opens `count` events ports at once, as a runaway app would, and waits
   * until Peerlink answered each: how many were subscribed (those stay open,
   * kept for `closeExtraPorts`) and the errors of those refused.
   */
  async openExtraPorts (count: number): Promise<{ subscribed: number, refused: SerializedError[] }> {
    return await this.#evaluate(async (n) => {
      const scope = globalThis as unknown as { fixture: { peerlinkId: string }, extraPorts?: chrome.runtime.Port[] }
      const runtime = ((globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome).runtime
      const answers = await Promise.all(Array.from({ length: n }, async () => await new Promise<{ port: chrome.runtime.Port, error?: SerializedError }>((resolve) => {
        const port = runtime.connect(scope.fixture.peerlinkId, { name: 'peerlink/events' })
        port.onMessage.addListener((event: { type: string, error?: SerializedError }) => {
          if (event.type === 'subscribed') resolve({ port })
          if (event.type === 'refused') resolve({ port, error: event.error })
        })
        port.onDisconnect.addListener(() => { resolve({ port, error: { name: 'Disconnected', message: 'closed without an answer', data: {} } }) })
      })))
      const open = answers.filter(a => a.error == null).map(a => a.port)
      scope.extraPorts = [...(scope.extraPorts ?? []), ...open]
      return { subscribed: open.length, refused: answers.flatMap(a => a.error == null ? [] : [a.error]) }
    }, count)
  }

  /** Closes `count` of the ports `openExtraPorts` left open. */
  async closeExtraPorts (count: number): Promise<void> {
    await this.#evaluate((n) => {
      const scope = globalThis as unknown as { extraPorts?: chrome.runtime.Port[] }
      for (const port of (scope.extraPorts ?? []).splice(0, n)) port.disconnect()
    }, count)
  }

  /** Opens the app's events subscription; it is opened again by itself whenever it drops, unless refused. */
  async subscribe (): Promise<void> {
    await this.#evaluate(() => { (globalThis as unknown as { fixture: FixtureApi }).fixture.subscribe() }, null)
  }

  /** Every event the app received, in order, and how often its port was opened, closed and refused. */
  async log (): Promise<FixtureApi['log'] & { subscribed: boolean }> {
    return await this.#evaluate(() => {
      const fixture = (globalThis as unknown as { fixture: FixtureApi }).fixture
      return { ...fixture.log, subscribed: fixture.subscribed }
    }, null)
  }

  /** Every announcement of an incoming message from `peerId` the app's events carried, in order, repeats included. */
  async announced (peerId: string): Promise<Array<{ id: string, text: string, state: string }>> {
    return (await this.log()).events.flatMap(event => event.type !== 'messages'
      ? []
      : event.messages.filter(m => m.peerId === peerId && m.direction === 'in').map(m => ({ id: m.id, text: m.text, state: m.state })))
  }

  /** What the app saw arrive on its events: the incoming messages from `peerId`, each once (its first announcement), in order of arrival. */
  async received (peerId: string): Promise<Array<{ id: string, channel: string, kind: string, text: string, data?: string }>> {
    const seen = new Map<string, { id: string, channel: string, kind: string, text: string, data?: string }>()
    for (const event of (await this.log()).events) {
      if (event.type !== 'messages') continue
      for (const m of event.messages) {
        if (m.peerId === peerId && m.direction === 'in' && !seen.has(m.id)) {
          seen.set(m.id, m.data == null ? { id: m.id, channel: m.channel, kind: m.kind, text: m.text } : { id: m.id, channel: m.channel, kind: m.kind, text: m.text, data: m.data })
        }
      }
    }
    return [...seen.values()]
  }
}
