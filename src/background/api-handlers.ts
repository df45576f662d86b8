import { OWN_CHANNEL, type ClientId, type MessageView, type Status } from '../api/protocol.ts'
import { describeClient, isClientId } from '../common/client-id.ts'
import { parsePayload } from '../common/wire/payload.ts'
import { type ApiHandlers, type ClientHandlers, clientStatus } from './api/index.ts'
import type { OutgoingMessage, StoredMessage, StoredWithAck } from './delivery/index.ts'
import {
  AWAIT_DELIVERY_MS, DEFAULT_MESSAGES_PAGE, DEFAULT_SPEED_TEST_COUNT, DEFAULT_SPEED_TEST_MESSAGE_BYTES,
  DEFAULT_SPEED_TEST_ROUND_TRIP_BYTES, DEFAULT_SPEED_TEST_TOTAL_BYTES, MAX_MESSAGES_PAGE_BYTES
} from '../common/constants.ts'
import { DeliveryFailedError, deserializeError, PeerClosedError, ValidationError } from '../common/errors/index.ts'
import { parsePeerId } from '../common/validators.ts'
import { exportKey, parseExportedKey, type Settings, type SettingsStore } from './profile/index.ts'
import { parseNewContact } from './peers/index.ts'
import { failRevokedClients } from './duties.ts'
import type { WorkerContext } from './worker-context.ts'

/**
 * The answers to every API request. Without `client`, Peerlink's own pages:
 * they send on Peerlink's channel and may read any. With `client`, the
 * requests of that client (`makeClientHandlers` picks the ones it may
 * call): it sends on its own channel, and a message of another channel is
 * answered as if it did not exist.
 */
export function makeApiHandlers (w: WorkerContext, client?: ClientId): ApiHandlers {
  const { parts, node, status, sync, watch } = w
  const { contacts, outbox, reconnector, store, settings, identity, unread, clients, notices } = parts
  const channel = client ?? OWN_CHANNEL

  /** The canonical id of a contact named by a caller; `ValidationError` or `UnknownPeerError` otherwise. */
  const contactId = async (peerId: string): Promise<string> => (await contacts.get(parsePeerId(peerId))).peerId

  /**
   * A contact one may send to now: `PeerClosedError` when the conversation
   * was closed on purpose, and `DeliveryFailedError` ('given-up') when
   * reconnection gave up, rather than a message that waits out its time to live.
   */
  const openConversation = async (peerId: string, messageId = ''): Promise<string> => {
    const id = await contactId(peerId)
    const { closedBy, gaveUp } = reconnector.view(id)
    if (closedBy != null) throw new PeerClosedError(id, closedBy)
    if (gaveUp) throw new DeliveryFailedError(messageId, id, 'given-up', 'reconnection gave up; reconnect to send again')
    return id
  }

  /** Saves a settings change (validated by `SettingsStore`), applies it to the node, answers the status. */
  const changeSettings = async (change: (settings: SettingsStore) => Promise<Settings>): Promise<Status> => {
    await change(settings)
    await sync.start()
    return await status.status()
  }

  /**
   * A stored message the caller may see, with its peer's ack point: ids are
   * each channel's own, so a client finds only its own messages, and
   * Peerlink's pages those of the channel they name (their own by default).
   */
  const stored = async (id: string, asked?: string): Promise<StoredWithAck<StoredMessage>> => {
    const found = await store.history.get(client ?? asked ?? OWN_CHANNEL, id)
    if (found == null) throw new ValidationError('id', `no message ${id}`)
    return found
  }

  const message = async (id: string, asked?: string): Promise<MessageView> => {
    const { found, ackedOutSeq } = await stored(id, asked)
    return outbox.view(found, ackedOutSeq)
  }

  /** The caller's messages, checked (`text` or base64 `bytes`, within the size limit), on its channel. */
  const outgoing = (inputs: Array<{ text?: string, bytes?: string, id?: string }>): OutgoingMessage[] => inputs.map((input, i) => {
    const payload = parsePayload(input, inputs.length === 1 ? '' : `messages.${i}.`, settings.current.limits.maxMessageBytes)
    return input.id == null ? { ...payload, channel } : { ...payload, channel, id: input.id }
  })

  /** A client may not make a message wait longer than the user lets any message wait. */
  const timeToLive = (ttlMs: number | undefined): number | undefined =>
    client == null || ttlMs == null ? ttlMs : Math.min(ttlMs, settings.current.limits.messageTtlMs)

  /** Waits for a final state; a failed message answers with its typed error. */
  const awaitFinal = async (view: MessageView, timeoutMs: number): Promise<MessageView> => {
    const final = await watch.wait(view, timeoutMs, async () => await message(view.id, view.channel))
    if (final.state === 'failed' && final.error != null) throw deserializeError(final.error)
    return final
  }

  return {
    getStatus: async () => {
      await node.refreshInfo()
      return await status.status()
    },
    setRelays: async ({ relays }) => await changeSettings(async s => await s.setRelays(relays)),
    setIceServers: async ({ iceServers }) => await changeSettings(async s => await s.setIceServers(iceServers)),
    getIceServers: async () => settings.current.iceServers,
    setLimits: async ({ limits }) => await changeSettings(async s => await s.setLimits(limits)),
    setAcceptUnknownPeers: async ({ accept }) => await changeSettings(async s => await s.setAcceptUnknownPeers(accept)),
    setNotifications: async ({ on }) => await changeSettings(async s => await s.setNotifications(on)),
    resetLimits: async () => await changeSettings(async s => await s.resetLimits()),
    exportIdentity: async () => ({ peerId: identity.peerId, privateKey: exportKey(identity.current) }),
    importIdentity: async ({ privateKey }) => {
      const imported = parseExportedKey(privateKey)
      if (await contacts.has(imported.peerId)) throw new ValidationError('private key', 'that key belongs to one of your contacts')
      await identity.replace(imported)
      // A new identity: its own conversations (another database), and the node starts again under it.
      const next = await w.restart()
      await next.sync.start()
      return await next.status.status()
    },
    markRead: async ({ peerId }) => {
      const id = parsePeerId(peerId)
      await unread.markRead(id)
      notices.read(id)
      status.soon()
      return null
    },
    acceptRequest: async ({ peerId, name }) => {
      const contact = await contacts.add(peerId, name)
      // Allowed first: the node then knows the dismissed request was accepted, and keeps the mail it left us.
      await sync.allowed()
      await node.call('dismissRequest', contact.peerId)
      notices.answered(contact.peerId)
      return await status.peerView(contact.peerId)
    },
    refuseRequest: async ({ peerId }) => {
      // The peer stays refused; only its request leaves the list.
      const id = parsePeerId(peerId)
      await node.call('dismissRequest', id)
      notices.answered(id)
      status.soon()
      return null
    },
    addPeer: async ({ peerId, card, addresses, name }) => {
      const found = parseNewContact({ peerId, card, addresses })
      const contact = await contacts.add(found.peerId, name, { addresses: found.addresses, ...(found.mailboxToken == null ? {} : { mailboxToken: found.mailboxToken }) })
      // A newcomer with no relay of their own reaches the contact through its relays.
      if (settings.current.relays.length === 0 && found.relays.length > 0) await changeSettings(async s => await s.setRelays(found.relays))
      await sync.allowed()
      return await status.peerView(contact.peerId)
    },
    removePeer: async ({ peerId }) => {
      const id = parsePeerId(peerId)
      await contacts.remove(id)
      await reconnector.forget(id)
      // Its unread messages must not stay on the badge, nor its notifications on the screen.
      await unread.markRead(id)
      notices.forget(id)
      await node.call('closePeer', id).catch(() => {})
      // Nothing the node kept about it stays behind (its dial count, last close, round trips).
      await node.call('forgetPeers', [id]).catch(() => {})
      await outbox.failPeer(id, 'peer-removed')
      await sync.allowed()
      return null
    },
    setMuted: async ({ peerId, muted }) => {
      const contact = await contacts.setMuted(peerId, muted)
      if (muted) notices.forget(contact.peerId)
      return await status.peerView(contact.peerId)
    },
    rotateCardToken: async () => {
      await parts.tokens.rotateCard()
      // The relays hear the new set at once: the old card's token is withdrawn.
      await node.call('setMailboxTokens', parts.tokens.hashes(await sync.allowedPeers()))
      return await status.status()
    },
    closePeer: async ({ peerId }) => {
      const id = await contactId(peerId)
      await reconnector.close(id, 'local')
      await node.call('closePeer', id)
      await outbox.failPeer(id, 'peer-closed', 'you closed the conversation')
      await sync.allowed()
      return await status.peerView(id)
    },
    reconnectPeer: async ({ peerId }) => {
      const id = await contactId(peerId)
      await reconnector.reopen(id, { dial: false })
      notices.reconnected(id)
      // Allowed again before the dial, so the new stream is accepted and shown.
      await sync.allowed()
      reconnector.want(id)
      return await status.peerView(id)
    },
    resetPeer: async ({ peerId }) => {
      await node.call('resetPeer', await contactId(peerId))
      return null
    },
    send: async ({ peerId, text, bytes, id, ttlMs, awaitDelivery }) => {
      const [input] = outgoing([{ text, bytes, id }])
      const sent = await outbox.send(await openConversation(peerId, id), input!, timeToLive(ttlMs))
      const final = awaitDelivery === true ? await awaitFinal(sent, AWAIT_DELIVERY_MS) : sent
      return { id: final.id, state: final.state }
    },
    retry: async ({ id, channel: asked }) => {
      const { found } = await stored(id, asked)
      await openConversation(found.peerId, id)
      const again = await outbox.retry(found.channel, id)
      return { id: again.id, state: again.state }
    },
    sendMany: async ({ peerId, messages, ttlMs }) =>
      (await outbox.sendMany(await openConversation(peerId), outgoing(messages), timeToLive(ttlMs))).map(m => ({ id: m.id, state: m.state })),
    speedTest: async ({ peerId, mode, messageBytes, totalBytes, count }) => await node.call('speedTest', await contactId(peerId), mode === 'throughput'
      ? { mode, messageBytes: messageBytes ?? DEFAULT_SPEED_TEST_MESSAGE_BYTES, totalBytes: totalBytes ?? DEFAULT_SPEED_TEST_TOTAL_BYTES }
      : { mode, messageBytes: messageBytes ?? DEFAULT_SPEED_TEST_ROUND_TRIP_BYTES, count: count ?? DEFAULT_SPEED_TEST_COUNT }),
    diagnostics: async () => {
      const offscreen = await node.call('diagnostics')
      const outboxBytes = [...(await store.pendingByPeer()).values()].reduce((sum, p) => sum + p.bytes, 0)
      const { usage, quota } = await navigator.storage.estimate()
      return {
        offscreenJsHeapUsedBytes: offscreen.jsHeapUsedBytes,
        inboundBufferedBytes: offscreen.inboundBufferedBytes,
        outboxBytes,
        storage: { usedBytes: usage ?? null, quotaBytes: quota ?? null }
      }
    },
    getMessage: async ({ id, channel: asked }) => await message(id, asked),
    awaitDelivery: async ({ id, channel: asked, timeoutMs }) => await awaitFinal(await message(id, asked), timeoutMs ?? AWAIT_DELIVERY_MS),
    getMessages: async ({ peerId, limit, before, channel: asked }) => {
      const page = { maxBytes: MAX_MESSAGES_PAGE_BYTES, channel: client ?? asked ?? OWN_CHANNEL, ...(before == null ? {} : { before }) }
      const { found, ackedOutSeq } = await store.history.list(parsePeerId(peerId), limit ?? DEFAULT_MESSAGES_PAGE, page)
      return found.map(m => outbox.view(m, ackedOutSeq))
    },
    allowClient: async ({ client: allowed }) => {
      const id = asClient(allowed)
      const site = describeClient(id)
      // A site gets `window.peerlink` only through the content scripts registered for its origin.
      if (site.kind === 'origin') await w.sites.registerSite(site.origin)
      const view = await clients.allow(id)
      status.soon()
      return view
    },
    revokeClient: async ({ client: revoked }) => {
      const id = asClient(revoked)
      await clients.remove(id)
      w.clientPorts.close(id)
      // What it queued will not go out on its behalf any more: failed, so its callers learn why.
      await failRevokedClients(parts, channel => channel === id)
      const site = describeClient(id)
      if (site.kind === 'origin') await w.sites.unregisterSite(site.origin)
      status.soon()
      return null
    },
    refuseClient: async ({ client: refused }) => {
      if (!clients.allowed(refused)) await clients.remove(refused)
      status.soon()
      return null
    }
  }
}

/** The requests a client may make, on its own channel; its status shows only what a client may see. */
export function makeClientHandlers (w: WorkerContext, client: ClientId): ClientHandlers {
  const all = makeApiHandlers(w, client)
  return {
    getStatus: async () => clientStatus(await w.status.status(), client),
    send: all.send,
    sendMany: all.sendMany,
    retry: all.retry,
    getMessage: all.getMessage,
    awaitDelivery: all.awaitDelivery,
    getMessages: all.getMessages
  }
}

function asClient (client: string): ClientId {
  if (!isClientId(client)) throw new ValidationError('client', 'a client is "extension:<id>" or "origin:<origin>"')
  return client
}
