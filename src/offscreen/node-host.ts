/**
 * The node's half of the extension, whatever page it runs in: the libp2p
 * node, and the link it offers the worker's half. Chrome runs it in the
 * offscreen document; Firefox in its persistent background page.
 */
import { DEFAULT_LINK_TIMEOUT_MS, WORKER_LINK_SILENCE_MS, WORKER_NUDGE_AFTER_MS } from '../common/constants.ts'
import { WORKER_CALL_DEADLINES_MS, type WorkerApi } from '../link/apis.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { withNudge } from '../link/nudge.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { NodeRuntime } from './node-runtime.ts'

export interface NodeHostOptions {
  /** Hands the worker's half its two ports of link `epoch` (to it, from it). */
  offer: (epoch: number, ports: [toNode: MessagePort, toWorker: MessagePort]) => Promise<void>
  /** Starts the worker's half if it was stopped (it then asks for a link); nothing where it cannot stop. */
  nudgeWorker?: () => void
  log: (format: string, ...args: unknown[]) => void
}

export interface NodeHost {
  /** Offers the worker's half a new link; concurrent requests share one offer. */
  offerLink: () => Promise<void>
  stop: () => Promise<void>
}

/** Starts the node's half and offers the first link. */
export function makeNodeHost ({ offer, nudgeWorker, log }: NodeHostOptions): NodeHost {
  let epoch = 0
  let offering: Promise<void> | undefined

  // A stopped worker never answers: after a short silence the link is dropped,
  // and the next call offers a new one, which (in Chrome) wakes the worker.
  const worker = new LinkEnd<WorkerApi>({
    waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS,
    deadlinesMs: WORKER_CALL_DEADLINES_MS,
    silenceMs: WORKER_LINK_SILENCE_MS,
    onNeedLink: () => { void offerLink() }
  })

  /**
   * Calls the worker until it answers: every call is safe to repeat, and
   * giving up would lose an event. A call not answered at once nudges the
   * worker, which Chrome may have stopped: waiting for its link to fall
   * silent would cost seconds, and a message arriving for it is what wakes it.
   */
  const tell = async <K extends keyof WorkerApi & string>(method: K, ...args: Parameters<WorkerApi[K]>): Promise<Awaited<ReturnType<WorkerApi[K]>>> =>
    await withNudge(async () => await retryOnLinkLoss(async () => await worker.call(method, ...args), Infinity), nudgeWorker, WORKER_NUDGE_AFTER_MS)

  const runtime = new NodeRuntime({
    sink: {
      deliver: async (peerId, frames) => await tell('deliver', peerId, frames),
      acked: async (peerId, seq) => { await tell('acked', peerId, seq) },
      skipTo: async (peerId, from, seq) => await tell('skipTo', peerId, from, seq),
      peerHello: async (peerId, hello) => { await tell('peerHello', peerId, hello) },
      ourHello: async (peerId) => await tell('ourHello', peerId),
      peerPaused: async (peerId, reason) => { await tell('peerPaused', peerId, reason) },
      peerAddresses: async (peerId, addresses) => { await tell('peerAddresses', peerId, addresses) },
      peerClosed: async (peerId) => { await tell('peerClosed', peerId) },
      streamLost: async (peerId) => { await tell('streamLost', peerId) },
      streamRested: async (peerId) => { await tell('streamRested', peerId) },
      unknownPeerAccepted: async (peerId) => { await tell('unknownPeerAccepted', peerId) },
      mailArrived: async (peerId, mails) => await tell('mailArrived', peerId, mails)
    },
    woke: () => { void tell('woke') },
    report: (info) => { worker.call('nodeChanged', info).catch(() => {}) },
    log
  })

  async function makeOffer (): Promise<void> {
    const toNode = new MessageChannel()
    const toWorker = new MessageChannel()
    epoch += 1
    exposeOnPort(runtime.api(), toNode.port1)
    worker.attach(toWorker.port1, epoch)
    await offer(epoch, [toNode.port2, toWorker.port2])
    log('offered link %d', epoch)
  }

  async function offerLink (): Promise<void> {
    offering ??= makeOffer().finally(() => { offering = undefined })
    await offering
  }

  void offerLink()
  return { offerLink, stop: async () => { await runtime.stop() } }
}
