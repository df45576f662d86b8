import type { NodeLink } from './node-link.ts'
import type { Parts } from './parts.ts'
import type { StatusReporter } from './status-reporter.ts'

/** Keeps the node in step with the worker's identity, settings and contacts. */
export class NodeSync {
  readonly #parts: Parts
  readonly #node: NodeLink
  readonly #status: StatusReporter

  constructor (parts: Parts, node: NodeLink, status: StatusReporter) {
    this.#parts = parts
    this.#node = node
    this.#status = status
  }

  /** Starts the node, or restarts it when its config changed, and shows the result. */
  async start (): Promise<void> {
    const { identity, settings } = this.#parts
    const { relays, iceServers, limits, acceptUnknownPeers } = settings.current
    this.#node.update(await this.#node.call('start', {
      privateKey: identity.current.privateKey,
      relays,
      iceServers,
      allowedPeers: await this.allowedPeers(),
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

  /** Tells the node who may open streams now, and shows the result. */
  async allowed (): Promise<void> {
    await this.#node.call('setAllowedPeers', await this.allowedPeers())
    this.#node.update(await this.#node.call('info'))
    await this.#status.publish()
  }

  /** Contacts may open streams to us, except those the user closed. */
  async allowedPeers (): Promise<string[]> {
    const { contacts, reconnector } = this.#parts
    return (await contacts.list()).map(c => c.peerId).filter(id => reconnector.view(id).closedBy !== 'local')
  }
}
