import type { ClientId } from '../common/client-id.ts'
import type { DeliveryWatch } from './delivery/index.ts'
import type { KeyValueStore } from './profile/index.ts'
import type { NodeLink } from './node/index.ts'
import type { NodeSync } from './node-sync.ts'
import type { Parts } from './parts.ts'
import type { SiteScripts } from './api/index.ts'
import type { StatusReporter } from './status-reporter.ts'

/** Everything the worker's handlers and duties work with, built once per worker start. */
export interface WorkerContext {
  readonly parts: Parts
  readonly node: NodeLink
  readonly status: StatusReporter
  readonly sync: NodeSync
  readonly watch: DeliveryWatch
  readonly storage: KeyValueStore
  readonly log: (format: string, ...args: unknown[]) => void
  /** Gives allowed sites `window.peerlink` (content scripts registered per origin), and takes it back. */
  readonly sites: SiteScripts
  /** Closes the event ports of a client the user no longer allows. */
  readonly clientPorts: { close: (client: ClientId) => void }
  /** Builds the parts again from storage (after the identity changed): the context to use from now on. */
  readonly restart: () => Promise<WorkerContext>
}
