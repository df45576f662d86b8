import type { WorkerApi } from '../link/apis.ts'
import { woke } from './duties.ts'
import type { WorkerContext } from './worker-context.ts'

/**
 * What the offscreen document calls: network events turned into durable
 * state and policy. `context` boots the worker, so any call can be its first.
 */
export function makeWorkerApi (context: () => Promise<WorkerContext>): WorkerApi {
  return {
    deliver: async (peerId, frames) => await (await context()).parts.inbox.receive(peerId, frames),
    acked: async (peerId, seq) => { await (await context()).parts.outbox.onAck(peerId, seq) },
    skipTo: async (peerId, seq) => await (await context()).parts.store.skipIncoming(peerId, seq),
    peerHello: async (peerId, next) => {
      const { reconnector, outbox, contacts } = (await context()).parts
      await reconnector.connected(peerId)
      await outbox.onHello(peerId, next)
      // A conversation is going on: the peer is dialed again after a restart of this node.
      await contacts.touch(peerId)
    },
    nextExpected: async (peerId) => await (await context()).parts.inbox.nextExpected(peerId),
    peerClosed: async (peerId) => {
      const { parts: { reconnector, outbox }, status } = await context()
      await reconnector.close(peerId, 'remote')
      await outbox.failPeer(peerId, 'peer-closed', 'the peer ended the conversation')
      status.soon()
    },
    // A reset or a broken transport is never "closed on purpose": reconnect.
    streamLost: async (peerId) => {
      const { reconnector, outbox } = (await context()).parts
      outbox.onStreamLost(peerId)
      reconnector.want(peerId)
    },
    nodeChanged: async (info) => {
      const { node, status } = await context()
      node.update(info)
      await status.publish()
    },
    woke: async () => { await woke(await context()) },
    peerAddresses: async (peerId, addresses) => { await (await context()).parts.contacts.learnAddresses(peerId, addresses) },
    // The user chose to accept anyone: such a peer becomes a contact.
    unknownPeerAccepted: async (peerId) => {
      const { parts, sync } = await context()
      await parts.contacts.add(peerId, undefined, { auto: true })
      await sync.allowed()
    }
  }
}
