/**
 * Entry point of Firefox's persistent background page. Firefox has no
 * offscreen documents, and its event pages are suspended (and their WebRTC
 * connections with them) about 30 s after the last extension event, so one
 * page that never suspends runs both halves, joined by MessageChannels.
 */
import type { OffscreenDocument } from '../background/node/index.ts'
import { makeWorkerHost } from '../background/worker-host.ts'
import { makeNodeHost } from '../offscreen/node-host.ts'

const startedAt = performance.now()
const log = (format: string, ...args: unknown[]): void => { console.info(`[peerlink] ${format}`, ...args) }

/** The node's half lives in this page, so it exists as long as the page does. */
const samePage: OffscreenDocument = { ensure: async () => false, exists: async () => true }

const background = makeWorkerHost({
  offscreenDocument: samePage,
  // Only ever called after an await (once `ensure()` has answered), so `node` exists by then.
  requestLink: () => { void node.offerLink() },
  startedAt,
  log
})
const node = makeNodeHost({
  offer: async (epoch, ports) => { background.acceptLink(ports, epoch) },
  log
})

addEventListener('pagehide', () => { void node.stop() })
