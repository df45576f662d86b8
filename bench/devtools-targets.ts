/**
 * Heap and CPU of one profile's extension targets (its service worker and
 * its offscreen document) over a browser-level DevTools connection, which
 * reaches targets Playwright does not expose. Needs the profile launched
 * with `toolbar: true` (that opens the DevTools port on loopback).
 */
import { BrowserDevTools } from '../e2e/support/toolbar.ts'

type TargetInfo = { targetId: string, type: string, url: string }

export interface TargetUsage {
  /** JS heap in use after a garbage collection, bytes. */
  heapUsedBytes: number
  /** Seconds the target's main thread spent on tasks since `Performance.enable` (null where the target has no Performance domain). */
  taskSeconds: number | null
}

/** One attached extension target. */
class Attached {
  constructor (readonly devTools: BrowserDevTools, readonly sessionId: string, readonly performance: boolean) {}

  async usage (): Promise<TargetUsage> {
    await this.devTools.send('HeapProfiler.collectGarbage', {}, this.sessionId).catch(() => {})
    const heap = await this.devTools.send<{ usedSize: number }>('Runtime.getHeapUsage', {}, this.sessionId)
    let taskSeconds: number | null = null
    if (this.performance) {
      const { metrics } = await this.devTools.send<{ metrics: Array<{ name: string, value: number }> }>('Performance.getMetrics', {}, this.sessionId)
      taskSeconds = metrics.find(m => m.name === 'TaskDuration')?.value ?? null
    }
    return { heapUsedBytes: heap.usedSize, taskSeconds }
  }
}

/** The service worker and offscreen document of the extension `extensionId`, attached over DevTools. */
export class ExtensionTargets {
  readonly #devTools: BrowserDevTools
  readonly #extensionId: string

  private constructor (devTools: BrowserDevTools, extensionId: string) {
    this.#devTools = devTools
    this.#extensionId = extensionId
  }

  static async connect (userDataDir: string, extensionId: string): Promise<ExtensionTargets> {
    return new ExtensionTargets(await BrowserDevTools.connect(userDataDir), extensionId)
  }

  /** Attaches to the target of `kind` now running (the worker may have restarted since the last call). */
  async attach (kind: 'worker' | 'offscreen'): Promise<Attached> {
    const { targetInfos } = await this.#devTools.send<{ targetInfos: TargetInfo[] }>('Target.getTargets')
    const prefix = `chrome-extension://${this.#extensionId}/`
    const target = targetInfos.find(t => t.url.startsWith(prefix) && (kind === 'worker' ? t.type === 'service_worker' : t.url.includes('offscreen')))
    if (target == null) throw new Error(`no ${kind} target among ${JSON.stringify(targetInfos.map(t => `${t.type} ${t.url}`))}`)
    const { sessionId } = await this.#devTools.send<{ sessionId: string }>('Target.attachToTarget', { targetId: target.targetId, flatten: true })
    // Workers have no Performance domain; the offscreen document, a page, has.
    const performance = await this.#devTools.send('Performance.enable', {}, sessionId).then(() => true, () => false)
    return new Attached(this.#devTools, sessionId, performance)
  }

  close (): void {
    this.#devTools.close()
  }
}
