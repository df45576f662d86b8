import PQueue from 'p-queue'
import type { NodeLink } from './node-link.ts'
import type { Parts } from './parts.ts'
import type { StatusReporter } from './status-reporter.ts'

/** Keeps the node in step with the worker's identity, settings and contacts. */
export class NodeSync {
  readonly #parts: Parts
  readonly #node: NodeLink
  readonly #status: StatusReporter
  readonly #starts = new PQueue({ concurrency: 1 })

  constructor (parts: Parts, node: NodeLink, status: StatusReporter) {
    this.#parts = parts
    this.#node = node
    this.#status = status
  }

  /**
   * Starts the node, or restarts it when its config changed, and shows the
   * result. Starts run one at a time, each reading the settings as they are
   * when it sends them, so the last one asked for leaves the node with the
   * latest settings (a start for a new link and one for changed relays may
   * overlap).
   */
  async start (): Promise<void> {
    await this.#starts.add(async () => { await this.#start() })
  }

  async #start (): Promise<void> {
    const { identity, settings } = this.#parts
    const allowedPeers = await this.allowedPeers()
    const { relays, iceServers, limits, acceptUnknownPeers } = settings.current
    this.#node.update(await this.#node.call('start', {
      privateKey: identity.current.privateKey,
      relays,
      iceServers,
      allowedPeers,
      acceptUnknownPeers,
      maxConnections: limits.maxConnections,
      maxMessageBytes: limits.maxMessageBytes,
      writeTimeoutMs: limits.writeTimeoutMs,
      inactivityTimeoutMs: limits.inactivityTimeoutMs,
      stuckStreamMs: limits.stuckStreamMs,
      retryBaseMs: limits.retryBaseMs,
      retryCapMs: limits.retryCapMs
    }))
    await this.#status.publish()
  }

  /**
   * Tells the node who may open streams now, and shows the result soon: the
   * status lists every contact, so a burst of changes (many contacts added)
   * goes out to pages as one event, not one per change.
   */
  async allowed (): Promise<void> {
    await this.#node.call('setAllowedPeers', await this.allowedPeers())
    this.#node.update(await this.#node.call('info'))
    this.#status.soon()
  }

  /** Contacts may open streams to us, except those the user closed. */
  async allowedPeers (): Promise<string[]> {
    const { contacts, reconnector } = this.#parts
    return (await contacts.list()).map(c => c.peerId).filter(id => reconnector.view(id).closedBy !== 'local')
  }
}
