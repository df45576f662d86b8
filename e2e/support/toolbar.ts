import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'

/**
 * A browser-level DevTools connection to a Chromium launched with
 * `--remote-debugging-port=0`: what a test needs to press an extension's
 * toolbar button (`Extensions.triggerAction`, which Chromium allows only on
 * such a connection and with `--enable-unsafe-extension-debugging`). A press
 * is the user's click: Chromium opens the real popup over the tab and grants
 * the extension `activeTab` on it. Playwright neither sees nor drives
 * extension popups, so the popup is driven here too, with real input events.
 */
export class BrowserDevTools {
  readonly #ws: WebSocket
  readonly #replies = new Map<number, (reply: { result?: unknown, error?: { message: string } }) => void>()
  #next = 0

  private constructor (ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number, result?: unknown, error?: { message: string } }
      if (reply.id != null) this.#replies.get(reply.id)?.(reply)
    })
  }

  /** Connects to the browser whose profile is `userDataDir` (Chromium writes its port there). */
  static async connect (userDataDir: string): Promise<BrowserDevTools> {
    const [port, path] = readFileSync(join(userDataDir, 'DevToolsActivePort'), 'utf8').split('\n')
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`)
    await new Promise<void>((resolve, reject) => { ws.once('open', () => { resolve() }); ws.once('error', reject) })
    return new BrowserDevTools(ws)
  }

  async send<T> (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.#next
    const reply = await new Promise<{ result?: unknown, error?: { message: string } }>((resolve) => {
      this.#replies.set(id, resolve)
      this.#ws.send(JSON.stringify(sessionId == null ? { id, method, params } : { id, sessionId, method, params }))
    })
    this.#replies.delete(id)
    if (reply.error != null) throw new Error(`${method}: ${reply.error.message}`)
    return reply.result as T
  }

  /** Presses `extensionId`'s toolbar button on the tab showing `url`, and answers its popup once it is open. */
  async pressToolbarButton (extensionId: string, url: string): Promise<ExtensionPopup> {
    type TargetInfo = { targetId: string, type: string, url: string }
    const { targetInfos: tabs } = await this.send<{ targetInfos: TargetInfo[] }>('Target.getTargets', { filter: [{ type: 'tab' }] })
    const tab = tabs.find(t => t.url === url)
    if (tab == null) throw new Error(`no tab shows ${url}; tabs: ${JSON.stringify(tabs.map(t => t.url))}`)
    await this.send('Extensions.triggerAction', { id: extensionId, targetId: tab.targetId })
    const popupUrl = `chrome-extension://${extensionId}/`
    const deadline = Date.now() + 10_000
    while (true) {
      const { targetInfos } = await this.send<{ targetInfos: TargetInfo[] }>('Target.getTargets')
      const popup = targetInfos.find(t => t.type === 'page' && t.url.startsWith(popupUrl) && t.url.includes('popup'))
      if (popup != null) {
        const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId: popup.targetId, flatten: true })
        return new ExtensionPopup(this, sessionId)
      }
      if (Date.now() > deadline) throw new Error(`${extensionId}'s popup did not open`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  close (): void {
    this.#ws.close()
  }
}

/** An extension's open toolbar popup, driven over DevTools. */
export class ExtensionPopup {
  readonly #devTools: BrowserDevTools
  readonly #sessionId: string

  constructor (devTools: BrowserDevTools, sessionId: string) {
    this.#devTools = devTools
    this.#sessionId = sessionId
  }

  /** The value of `expression` in the popup (JSON-serialisable). */
  async evaluate<T> (expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.#devTools.send<{ result: { value: T }, exceptionDetails?: { text: string } }>(
      'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.#sessionId)
    if (exceptionDetails != null) throw new Error(`in the popup: ${exceptionDetails.text}`)
    return result.value
  }

  /** Waits until `expression` is truthy in the popup. */
  async waitFor (expression: string, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (await this.evaluate<boolean>(`Boolean(${expression})`).catch(() => false) !== true) {
      if (Date.now() > deadline) throw new Error(`the popup never showed ${what}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  /** Clicks the element `selector` names with the mouse, as the user does: a real click, with its user gesture. */
  async click (selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number, y: number, width: number, height: number } | null>(
      `(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (el == null) return null; el.scrollIntoView(); const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height } })()`)
    if (box == null || box.width === 0) throw new Error(`the popup has no visible ${selector}`)
    const at = { x: box.x + box.width / 2, y: box.y + box.height / 2, button: 'left', clickCount: 1 }
    await this.#devTools.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }, this.#sessionId)
    await this.#devTools.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at }, this.#sessionId)
  }
}
