import PQueue from 'p-queue'
import type { NodeLink } from './node/index.ts'
import type { Parts } from './parts.ts'
import type { StatusReporter } from './status-reporter.ts'

/** Keeps the node in step with the worker's identity, settings and contacts. */
export class NodeSync {
  readonly #parts: Parts
  readonly #node: NodeLink
  readonly #status: StatusReporter
  /** Starts and changes of the allowed peers, one at a time, in order. */
  readonly #starts = new PQueue({ concurrency: 1 })
  /** The peers the node was last told it may let in (by a start or a change); unknown before the first start. */
  #told: Set<string> | undefined

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
    this.#told = undefined
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
      idleConnectionMs: limits.idleConnectionMs,
      stuckStreamMs: limits.stuckStreamMs,
      retryBaseMs: limits.retryBaseMs,
      retryCapMs: limits.retryCapMs,
      mailboxTokenHashes: this.#parts.tokens.hashes(allowedPeers)
    }))
    this.#told = new Set(allowedPeers)
    await this.#status.publish()
  }

  /**
   * Tells the node who may open streams (and leave us mail) now: only what changed since it was
   * last told, so adding one contact to a thousand sends one id. The node
   * reports its new state itself, and pages get it soon, in one status
   * event for a burst of changes.
   */
  async allowed (): Promise<void> {
    await this.#starts.add(async () => {
      const now = await this.allowedPeers()
      const told = this.#told
      if (told == null) {
        await this.#node.call('setAllowedPeers', now)
      } else {
        const current = new Set(now)
        const allow = now.filter(id => !told.has(id))
        const disallow = [...told].filter(id => !current.has(id))
        if (allow.length > 0 || disallow.length > 0) {
          await this.#node.call('changeAllowedPeers', { allow, disallow })
          // A new contact may leave us mail; a removed or closed one no longer can.
          await this.#node.call('setMailboxTokens', this.#parts.tokens.hashes(now))
        }
      }
      this.#told = new Set(now)
    })
    this.#status.soon()
  }

  /** Contacts may open streams to us, except those the user closed. */
  async allowedPeers (): Promise<string[]> {
    const { contacts, reconnector } = this.#parts
    return (await contacts.list()).map(c => c.peerId).filter(id => reconnector.view(id).closedBy !== 'local')
  }
}
