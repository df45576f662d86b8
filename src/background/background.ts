import { REQUESTS_PORT_NAME, type ClientId, type Status } from '../api/protocol.ts'
import { makeApiHandlers, makeClientHandlers } from './api-handlers.ts'
import { ApiServer, type Caller, type ClientHandlers, type EventPort, removeLegacySiteRecords, type SiteScripts } from './api/index.ts'
import { DeliveryWatch, messageView } from './delivery/index.ts'
import { heartbeat, resumeRecentPeers } from './duties.ts'
import type { KeyValueStore } from './profile/index.ts'
import { NodeLink, type OffscreenDocument } from './node/index.ts'
import { NodeSync } from './node-sync.ts'
import { makeParts, type PartsDeps, stopParts } from './parts.ts'
import { StatusReporter } from './status-reporter.ts'
import { makeWorkerApi } from './worker-api.ts'
import type { WorkerContext } from './worker-context.ts'

export interface BackgroundDeps {
  storage: KeyValueStore
  offscreenDocument: OffscreenDocument
  /** Asks a running offscreen document to offer a new link. */
  requestLink: () => void
  /** `performance.now()` when the worker's script started. */
  startedAt: number
  /** Gives allowed sites `window.peerlink`. */
  sites: SiteScripts
  /** Shows the number of unread messages on the toolbar icon (0: nothing). */
  showBadge: (total: number) => void
  /** Shows and clears system notifications. */
  notifier: PartsDeps['notifier']
  log: (format: string, ...args: unknown[]) => void
}

/**
 * The brain: owns durable state and policy, and drives the offscreen
 * document's node over the link. Every entry point boots it idempotently;
 * what it does lives in the handlers (`api-handlers.ts`, `worker-api.ts`)
 * and the duties (`duties.ts`).
 */
export class Background {
  readonly #deps: BackgroundDeps
  readonly #node: NodeLink
  readonly #watch = new DeliveryWatch()
  readonly api: ApiServer
  #context: Promise<WorkerContext> | undefined

  constructor (deps: BackgroundDeps) {
    this.#deps = deps
    this.#node = new NodeLink(deps)
    this.api = new ApiServer({
      handlers: async () => await this.#handlers(),
      clientHandlers: async (client) => await this.#clientHandlers(client),
      clients: async () => (await this.boot()).parts.clients,
      changed: () => { void this.boot().then(w => { w.status.soon() }) }
    })
  }

  #handlersFor: { context: WorkerContext, handlers: ReturnType<typeof makeApiHandlers> } | undefined

  /** The API handlers of the current context (made anew when the context is). */
  async #handlers (): Promise<ReturnType<typeof makeApiHandlers>> {
    const context = await this.boot()
    if (this.#handlersFor?.context !== context) this.#handlersFor = { context, handlers: makeApiHandlers(context) }
    return this.#handlersFor.handlers
  }

  /** A client's handlers in the current context (made per request: they hold nothing but the client). */
  async #clientHandlers (client: ClientId): Promise<ClientHandlers> {
    return makeClientHandlers(await this.boot(), client)
  }

  /** Loads state and makes sure the offscreen document runs; safe to call from every event. */
  async boot (): Promise<WorkerContext> {
    this.#context ??= this.#boot().catch((err: unknown) => {
      this.#context = undefined
      throw err
    })
    return await this.#context
  }

  /** The heartbeat alarm's duties; `periodMs` is the alarm's period. */
  async heartbeat (periodMs: number): Promise<void> {
    await heartbeat(await this.boot(), periodMs)
  }

  /** Whether there is work the heartbeat must keep coming back for: messages waiting, or dials due. */
  async busy (): Promise<boolean> {
    const { parts } = await this.boot()
    return (await parts.store.pendingByPeer()).size > 0 || parts.reconnector.dialsDue()
  }

  /** Whether a client is allowed now (the bridge asks for its site); lists nothing. */
  async allowed (client: ClientId): Promise<boolean> {
    return (await this.boot()).parts.clients.allowed(client)
  }

  /** Takes a link offered by the offscreen document and (re)starts the node on it. */
  acceptLink (ports: readonly MessagePort[], epoch: number): void {
    this.#node.attach(ports, epoch, makeWorkerApi(async () => await this.boot()))
    void this.boot()
      .then(async (w) => {
        await w.sync.start()
        this.#node.firstCallAnswered()
        await w.parts.outbox.flushAll()
        await resumeRecentPeers(w)
      })
      .catch((err: unknown) => { this.#deps.log('could not start the node: %o', err) })
  }

  /** Adopts an events port (a page's, or a client's it allows) and sends it the status at once. */
  subscribe (port: EventPort, caller: Caller = { kind: 'own' }): void {
    void this.api.subscribe(port, caller).then(async (adopted) => {
      // A requests port gets no status: building one for it would be wasted.
      if (adopted && port.name !== REQUESTS_PORT_NAME) this.api.sendStatus(port, await this.status())
    }).catch(() => {})
  }

  async status (): Promise<Status> {
    return await (await this.boot()).status.status()
  }

  async #boot (): Promise<WorkerContext> {
    const { storage, showBadge, notifier, log } = this.#deps
    // Late-bound: the parts report changes through what is built from them.
    const reporter: { status?: StatusReporter } = {}
    const built: { context?: WorkerContext } = {}
    const parts = await makeParts({
      storage,
      node: this.#node,
      announce: (stored) => {
        const view = messageView(stored)
        this.#watch.notify(view)
        this.api.announce(view)
        reporter.status?.messageSeen(view)
      },
      statusChanged: () => { reporter.status?.soon() },
      showBadge,
      notifier,
      log,
      // Chromium closes the database when the disk is full: the parts start again on a new connection,
      // as after a worker restart (what was acknowledged is on disk; the rest is sent again).
      storeLost: () => {
        log('the browser closed the message database; opening it again')
        const lost = built.context
        // Only the parts still in use start again (not those an identity change already replaced).
        void this.#context?.then(async (current) => { if (current === lost) await lost.restart() })
          .catch((err: unknown) => { log('could not reopen the message database: %o', err) })
      }
    })
    await removeLegacySiteRecords(storage)
    const status = reporter.status = new StatusReporter(parts, this.#node, this.api)
    const context: WorkerContext = {
      parts,
      node: this.#node,
      status,
      sync: new NodeSync(parts, this.#node, status),
      watch: this.#watch,
      storage,
      log,
      sites: this.#deps.sites,
      clientPorts: { close: (client) => { this.api.closeClient(client) } },
      restart: async () => {
        stopParts(parts)
        this.#context = undefined
        return await this.boot()
      }
    }
    built.context = context
    await this.#node.ensureDocument()
    return context
  }
}
