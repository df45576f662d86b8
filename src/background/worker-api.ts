import { StorageFullError } from '../common/errors/index.ts'
import type { WorkerApi } from '../link/apis.ts'
import { woke } from './duties.ts'
import type { WorkerContext } from './worker-context.ts'

/**
 * What the offscreen document calls: network events turned into durable
 * state and policy. `context` boots the worker, so any call can be its first.
 */
export function makeWorkerApi (context: () => Promise<WorkerContext>): WorkerApi {
  return {
    deliver: async (peerId, frames) => {
      try {
        return await (await context()).parts.inbox.receive(peerId, frames)
      } catch (err) {
        // However the full disk showed (storing, or opening the database again), the node asks the peer to pause.
        if (isDiskFull(err)) throw new StorageFullError(peerId, (err as Error).message)
        throw err
      }
    },
    acked: async (peerId, seq) => { await (await context()).parts.outbox.onAck(peerId, seq) },
    skipTo: async (peerId, from, seq) => await (await context()).parts.store.skipIncoming(peerId, from, seq),
    peerHello: async (peerId, hello) => {
      const { parts: { reconnector, outbox, contacts, mailSender }, status, log } = await context()
      await reconnector.connected(peerId)
      mailSender.streamUp(peerId)
      const { peerRestarted } = await outbox.onHello(peerId, hello)
      if (peerRestarted) log('%s started its side of the conversation afresh', peerId)
      // A conversation is going on: the peer is dialed again after a restart of this node.
      await contacts.touch(peerId)
      await contacts.learnAddresses(peerId, hello.addresses)
      await contacts.learnMailboxToken(peerId, hello.mailboxToken)
      status.soon()
    },
    ourHello: async (peerId) => {
      const { store, tokens } = (await context()).parts
      return { ...await store.ourHello(peerId), mailboxToken: tokens.forContact(peerId) }
    },
    peerPaused: async (peerId) => {
      const { parts: { outbox }, status, log } = await context()
      log('%s cannot store more for now; holding its messages', peerId)
      outbox.pause(peerId)
      status.soon()
    },
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
      reconnector.lost(peerId)
    },
    // Let go for being idle: what was on the stream goes again on the next one, which the next send dials.
    streamRested: async (peerId) => {
      const { outbox } = (await context()).parts
      outbox.onStreamLost(peerId)
    },
    nodeChanged: async (info) => {
      const { node, status, parts, log } = await context()
      node.update(info)
      status.soon()
      parts.notices.requests(info.requests.map(r => r.peerId)).catch((err: unknown) => { log('request notices failed: %o', err) })
    },
    woke: async () => { await woke(await context()) },
    peerAddresses: async (peerId, addresses) => { await (await context()).parts.contacts.learnAddresses(peerId, addresses) },
    // The user chose to accept anyone: such a peer becomes a contact.
    mailArrived: async (peerId, mails) => {
      const { parts, status } = await context()
      const outcome = await parts.mailReceiver.apply(peerId, mails)
      status.soon()
      return outcome
    },
    unknownPeerAccepted: async (peerId) => {
      const { parts, sync } = await context()
      await parts.contacts.add(peerId, undefined, { auto: true })
      await sync.allowed()
    }
  }
}

/**
 * Whether an error says the disk is full. Over a quota it is QuotaExceededError; but Peerlink's
 * unlimitedStorage leaves Chromium no quota to enforce, and a full disk shows (measured, Chromium
 * 156) as an UnknownError naming FILE_ERROR_NO_SPACE, after which the browser closes the database
 * and opening it again fails with QuotaExceededError until there is room, or, for a value over
 * 64 KiB (kept in a file of its own), as DataError "Failed to write blobs (IOError)"; the
 * extension's own storage (unread counts, contacts) says "No space left on device". Taking an
 * unrelated write failure for a full disk costs only a pause and a retry, never a message.
 */
function isDiskFull (err: unknown): boolean {
  const { name, message } = err as Error
  return name === 'StorageFullError' || name === 'QuotaExceededError' || /NO_SPACE|No space left|Failed to write blobs/i.test(String(message))
}
