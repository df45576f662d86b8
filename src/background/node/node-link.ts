import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import type { LinkView } from '../../api/protocol.ts'
import { DEFAULT_LINK_TIMEOUT_MS, NODE_LINK_SILENCE_MS, OFFSCREEN_CHECK_AFTER_ACTIVITY_MS, OFFSCREEN_CHECK_INTERVAL_MS } from '../../common/constants.ts'
import { NODE_CALL_DEADLINES_MS, type NodeInfo, type OffscreenApi, type WorkerApi } from '../../link/apis.ts'
import { exposeOnPort, LinkEnd } from '../../link/link-end.ts'
import { retryOnLinkLoss } from '../../link/retry.ts'
import type { OffscreenDocument } from './offscreen-document.ts'

export interface NodeLinkDeps {
  offscreenDocument: OffscreenDocument
  /** Asks a running offscreen document to offer a new link. */
  requestLink: () => void
  /** `performance.now()` when the worker's script started. */
  startedAt: number
  log: (format: string, ...args: unknown[]) => void
}

/**
 * The worker's side of the link to the node: calls with their deadlines,
 * the node's last reported state, and the offscreen document's upkeep (it
 * is re-created when Chrome closed it, and asked for a link when it runs).
 */
export class NodeLink {
  readonly #deps: NodeLinkDeps
  readonly #link: LinkEnd<OffscreenApi>
  #info: NodeInfo | undefined
  #firstCallAfterStartMs: number | null = null
  /** When the worker last called the node: the document is checked only while the worker is at work. */
  #activeAt = Date.now()
  readonly #documentCheck: RepeatingTask

  constructor (deps: NodeLinkDeps) {
    this.#deps = deps
    this.#link = new LinkEnd<OffscreenApi>({
      waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS,
      deadlinesMs: NODE_CALL_DEADLINES_MS,
      silenceMs: NODE_LINK_SILENCE_MS,
      // No link: the document may be gone (Chrome closed it) or may just need asking.
      onNeedLink: () => {
        void deps.offscreenDocument.ensure().then((created) => { if (!created) deps.requestLink() }, (err: unknown) => {
          deps.log('could not create the offscreen document: %o', err)
        })
      }
    })
    this.#documentCheck = repeatingTask(async () => { await this.#checkDocument() }, OFFSCREEN_CHECK_INTERVAL_MS)
  }

  /** The node's state as last reported, if it ever was. */
  get info (): NodeInfo | undefined {
    return this.#info
  }

  get view (): LinkView {
    return { connected: this.#link.connected, epoch: this.#link.epoch, firstCallAfterStartMs: this.#firstCallAfterStartMs }
  }

  /** Calls the node, repeating the call when the link was lost under it. */
  async call<K extends keyof OffscreenApi & string> (method: K, ...args: Parameters<OffscreenApi[K]>): Promise<Awaited<ReturnType<OffscreenApi[K]>>> {
    this.#activeAt = Date.now()
    return await retryOnLinkLoss(async () => await this.#link.call(method, ...args))
  }

  /** Asks the node for its state now (a caller may ask right after a change); the last report if it cannot answer. */
  async refreshInfo (): Promise<NodeInfo | undefined> {
    if (this.#link.connected) this.#info = await this.#link.call('info').catch(() => this.#info)
    return this.#info
  }

  /** Records the node's state as it reported it. */
  update (info: NodeInfo): void {
    this.#info = info
  }

  /** Takes a link offered by the offscreen document, serving `workerApi` on it. */
  attach (ports: readonly MessagePort[], epoch: number, workerApi: WorkerApi): void {
    const [toOffscreen, toWorker] = ports as [MessagePort, MessagePort]
    exposeOnPort(workerApi, toWorker)
    this.#link.attach(toOffscreen, epoch)
    this.#deps.log('link %d up', epoch)
  }

  /** Notes that a call over the first link of this worker's life was answered. */
  firstCallAnswered (): void {
    this.#firstCallAfterStartMs ??= performance.now() - this.#deps.startedAt
  }

  /**
   * Makes sure the offscreen document runs, and keeps checking while the
   * worker is awake. A document that already ran (the worker restarted)
   * waits to be asked for a link.
   */
  async ensureDocument (): Promise<void> {
    const { offscreenDocument, requestLink, log } = this.#deps
    // Chrome can refuse here while it stops the worker ("No SW"); the next call that needs a link ensures it again.
    const created = await offscreenDocument.ensure().catch((err: unknown) => {
      log('could not ensure the offscreen document: %o', err)
      return true
    })
    if (!created && !this.#link.connected) requestLink()
    this.#documentCheck.start()
  }

  /** Stops checking on the offscreen document (tests, shutdown). */
  stop (): void {
    this.#documentCheck.stop()
  }

  /**
   * Re-creates a vanished offscreen document; its node comes back with the
   * same identity. Skipped once the worker has been idle a while, so the
   * check itself never keeps an idle worker running; the next call needs a
   * link, and a missing link ensures the document again.
   */
  async #checkDocument (): Promise<void> {
    if (Date.now() - this.#activeAt > OFFSCREEN_CHECK_AFTER_ACTIVITY_MS) return
    try {
      if (await this.#deps.offscreenDocument.exists()) return
      this.#deps.log('the offscreen document is gone; re-creating it')
      this.#link.close('the offscreen document was closed')
      this.#info = undefined
      await this.#deps.offscreenDocument.ensure()
    } catch (err) {
      this.#deps.log('could not check the offscreen document: %o', err)
    }
  }
}
