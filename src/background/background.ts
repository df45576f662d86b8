import type { MessageView, PeerView, Status } from '../api/protocol.ts'
import {
  DEFAULT_GIVE_UP_AFTER_PERMANENT_ERRORS, DEFAULT_LINK_TIMEOUT_MS, DEFAULT_OFFSCREEN_CALL_TIMEOUT_MS,
  DEFAULT_TRANSMIT_CALL_TIMEOUT_MS, STALE_SWEEP_INTERVAL_MS, WAKE_LATE_MS
} from '../common/constants.ts'
import { deserializeError, PeerClosedError, ValidationError } from '../common/errors/index.ts'
import { WakeDetector } from '../common/wake-detector.ts'
import { freshCounters } from '../common/counters.ts'
import { parsePeerId } from '../common/validators.ts'
import type { NodeInfo, OffscreenApi, WorkerApi } from '../link/apis.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { ApiServer, type EventPort } from './api-server.ts'
import { Contacts, type Contact } from './contacts.ts'
import { DeliveryWatch } from './delivery-watch.ts'
import { exportKey, loadOrCreateIdentity, parseExportedKey, saveIdentity, type Identity } from './identity.ts'
import { Inbox } from './inbox.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { MessageStore } from './message-store.ts'
import type { OffscreenDocument } from './offscreen-document.ts'
import { Outbox } from './outbox.ts'
import { Reconnector } from './reconnector.ts'
import { SettingsStore, type Settings } from './settings.ts'
import { recentPeers, stalePeers } from './stale-peers.ts'
import { Unread } from './unread.ts'
import { DEFAULT_LIMITS } from '../common/limits.ts'

export interface BackgroundDeps {
  storage: KeyValueStore
  offscreenDocument: OffscreenDocument
  /** Asks a running offscreen document to offer a new link. */
  requestLink: () => void
  /** `performance.now()` when the worker's script started. */
  startedAt: number
  /** Shows the number of unread messages on the toolbar icon (0: nothing). */
  showBadge: (total: number) => void
  log: (format: string, ...args: unknown[]) => void
}

interface Parts {
  identity: Identity
  settings: SettingsStore
  /** The settings as last saved, for what must be read synchronously (limits). */
  current: { settings: Settings }
  contacts: Contacts
  store: MessageStore
  outbox: Outbox
  inbox: Inbox
  reconnector: Reconnector
  unread: Unread
}

/** How long a caller awaiting delivery is held before it is answered with the state so far. */
const AWAIT_DELIVERY_MS = 30_000

/**
 * How often an awake worker checks that the offscreen document still exists.
 * Chrome may close it without a word, and a MessagePort to it does not say
 * so here; the check keeps nothing alive.
 */
const OFFSCREEN_CHECK_INTERVAL_MS = 2_000

/** The heartbeat alarm's period, which is also the worker's wake-detector tick (Chrome's minimum). */
export const HEARTBEAT_PERIOD_MS = 30_000
const LAST_TICK_KEY = 'wake.lastTick'
const LAST_SWEEP_KEY = 'stale.lastSweep'
const NODE_STARTED_KEY = 'node.startedAt'

/**
 * The brain: owns durable state and policy, and drives the offscreen
 * document's node over the link. Every entry point boots it idempotently.
 */
export class Background {
  readonly #deps: BackgroundDeps
  readonly #offscreen: LinkEnd<OffscreenApi>
  readonly #watch = new DeliveryWatch()
  readonly api: ApiServer
  #parts: Promise<Parts> | undefined
  #nodeInfo: NodeInfo | undefined
  #firstCallAfterStartMs: number | null = null
  #statusTimer: ReturnType<typeof setTimeout> | undefined

  constructor (deps: BackgroundDeps) {
    this.#deps = deps
    this.#offscreen = new LinkEnd<OffscreenApi>({
      waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS,
      callTimeoutMs: method => ['sendMessages', 'start', 'speedTest'].includes(method) ? DEFAULT_TRANSMIT_CALL_TIMEOUT_MS : DEFAULT_OFFSCREEN_CALL_TIMEOUT_MS,
      // No link: the document may be gone (Chrome closed it) or may just need asking.
      onNeedLink: () => {
        void deps.offscreenDocument.ensure().then((created) => { if (!created) deps.requestLink() }, (err: unknown) => {
          deps.log('could not create the offscreen document: %o', err)
        })
      }
    })
    this.api = new ApiServer({
      getStatus: async () => {
        // Live, not the last (debounced) report: a caller may ask right after a change.
        if (this.#offscreen.connected) this.#nodeInfo = await this.#offscreen.call('info').catch(() => this.#nodeInfo)
        return await this.status()
      },
      setRelays: async ({ relays }) => await this.#changeSettings(async settings => await settings.setRelays(relays)),
      setLimits: async ({ limits }) => await this.#changeSettings(async settings => await settings.setLimits(limits)),
      setAcceptUnknownPeers: async ({ accept }) => await this.#changeSettings(async settings => await settings.setAcceptUnknownPeers(accept)),
      resetLimits: async () => await this.#changeSettings(async settings => await settings.setLimits(DEFAULT_LIMITS)),
      exportIdentity: async () => {
        const { identity } = await this.boot()
        return { peerId: identity.peerId, privateKey: exportKey(identity) }
      },
      importIdentity: async ({ privateKey }) => {
        const parts = await this.boot()
        const identity = parseExportedKey(privateKey)
        if (await parts.contacts.has(identity.peerId)) throw new ValidationError('private key', 'that key belongs to one of your contacts')
        await saveIdentity(this.#deps.storage, identity)
        parts.identity = identity
        // A new identity: the node starts again under it.
        await this.#syncNode()
        return await this.status()
      },
      markRead: async ({ peerId }) => {
        await (await this.boot()).unread.markRead(parsePeerId(peerId))
        this.#statusSoon()
        return null
      },
      acceptRequest: async ({ peerId, name }) => {
        const { contacts } = await this.boot()
        const contact = await contacts.add(peerId, name)
        await this.#callOffscreen('dismissRequest', contact.peerId)
        await this.#syncAllowedPeers()
        return await this.#peerView(contact.peerId)
      },
      refuseRequest: async ({ peerId }) => {
        await this.boot()
        // The peer stays refused; only its request leaves the list.
        await this.#callOffscreen('dismissRequest', parsePeerId(peerId))
        this.#statusSoon()
        return null
      },
      addPeer: async ({ peerId, name }) => {
        const { contacts } = await this.boot()
        const contact = await contacts.add(peerId, name)
        await this.#syncAllowedPeers()
        return await this.#peerView(contact.peerId)
      },
      removePeer: async ({ peerId }) => {
        const { contacts, outbox, reconnector } = await this.boot()
        const id = parsePeerId(peerId)
        await contacts.remove(id)
        await reconnector.forget(id)
        await this.#callOffscreen('closePeer', id).catch(() => {})
        await outbox.failPeer(id, 'peer-removed')
        await this.#syncAllowedPeers()
        return null
      },
      closePeer: async ({ peerId }) => {
        const { outbox, reconnector } = await this.boot()
        const id = await this.#contactId(peerId)
        await reconnector.close(id, 'local')
        await this.#callOffscreen('closePeer', id)
        await outbox.failPeer(id, 'peer-closed', 'you closed the conversation')
        await this.#syncAllowedPeers()
        return await this.#peerView(id)
      },
      reconnectPeer: async ({ peerId }) => {
        const { reconnector } = await this.boot()
        const id = await this.#contactId(peerId)
        await reconnector.reopen(id, { dial: false })
        // Allowed again before the dial, so the new stream is accepted and shown.
        await this.#syncAllowedPeers()
        reconnector.want(id)
        return await this.#peerView(id)
      },
      resetPeer: async ({ peerId }) => {
        await this.#callOffscreen('resetPeer', await this.#contactId(peerId))
        return null
      },
      send: async ({ peerId, text, id, ttlMs, awaitDelivery }) => {
        const { outbox } = await this.boot()
        const message = outbox.overlay(await outbox.send({ peerId: await this.#openConversation(peerId), text, id, ttlMs }))
        const final = awaitDelivery === true ? await this.#awaitFinal(message, AWAIT_DELIVERY_MS) : message
        return { id: final.id, state: final.state }
      },
      sendMany: async ({ peerId, messages, ttlMs }) => {
        const { outbox } = await this.boot()
        return (await outbox.sendMany(await this.#openConversation(peerId), messages, ttlMs)).map(m => ({ id: m.id, state: outbox.overlay(m).state }))
      },
      speedTest: async ({ peerId, mode, messageBytes, totalBytes, count }) => {
        const id = await this.#contactId(peerId)
        return await this.#offscreen.call('speedTest', id, mode === 'throughput'
          ? { mode, messageBytes: messageBytes ?? 64 * 1024, totalBytes: totalBytes ?? 64 * 1024 * 1024 }
          : { mode, messageBytes: messageBytes ?? 100, count: count ?? 100 })
      },
      diagnostics: async () => {
        const { store } = await this.boot()
        const offscreen = await this.#callOffscreen('diagnostics')
        const outboxBytes = [...(await store.pendingByPeer()).values()].reduce((sum, p) => sum + p.bytes, 0)
        return { offscreenJsHeapUsedBytes: offscreen.jsHeapUsedBytes, inboundBufferedBytes: offscreen.inboundBufferedBytes, outboxBytes }
      },
      getMessage: async ({ id }) => await this.#message(id),
      awaitDelivery: async ({ id, timeoutMs }) => await this.#awaitFinal(await this.#message(id), timeoutMs ?? AWAIT_DELIVERY_MS),
      getMessages: async ({ peerId, limit }) => {
        const { store, outbox } = await this.boot()
        return (await store.list(parsePeerId(peerId), limit ?? 200)).map(m => outbox.overlay(m))
      }
    })
  }

  /** Loads state and makes sure the offscreen document runs; safe to call from every event. */
  async boot (): Promise<Parts> {
    this.#parts ??= this.#boot().catch((err: unknown) => {
      this.#parts = undefined
      throw err
    })
    return await this.#parts
  }

  /**
   * Periodic duties, on the heartbeat alarm: notice a wake across worker
   * restarts (the last tick is persisted), expire old messages, retry what
   * is pending.
   */
  async heartbeat (): Promise<void> {
    const { outbox } = await this.boot()
    const { storage } = this.#deps
    const detector = new WakeDetector(HEARTBEAT_PERIOD_MS, WAKE_LATE_MS, await storage.get<number>(LAST_TICK_KEY))
    const wokeUp = detector.tick(Date.now())
    await storage.set(LAST_TICK_KEY, detector.last)
    if (wokeUp) await this.#woke()
    await outbox.expire()
    await outbox.flushAll()
    await this.#sweepStalePeers()
  }

  /** Every 15 min: peers gone for over an hour lose their in-memory connection state (messages stay). */
  async #sweepStalePeers (): Promise<void> {
    const { storage } = this.#deps
    const now = Date.now()
    if (now - (await storage.get<number>(LAST_SWEEP_KEY) ?? 0) < STALE_SWEEP_INTERVAL_MS) return
    await storage.set(LAST_SWEEP_KEY, now)
    const { contacts, outbox } = await this.boot()
    const info = await this.#callOffscreen('info').catch(() => this.#nodeInfo)
    const { current } = await this.boot()
    const stale = stalePeers(await contacts.list(), now, current.settings.limits.stalePeerMs, id => info?.peers[id]?.state === 'connected')
    if (stale.length === 0) return
    this.#deps.log('forgetting the connection state of %d stale peers', stale.length)
    for (const peerId of stale) outbox.forget(peerId)
    // The offscreen document checks each again just before dropping it.
    await this.#callOffscreen('forgetPeers', stale)
  }

  /**
   * After the node started anew (not after a mere worker restart, which
   * keeps the node), dials the contacts seen recently: their side still
   * holds the old connection, or backs off, until it hears from us.
   */
  async #resumeRecentPeers (): Promise<void> {
    const startedAt = this.#nodeInfo?.startedAt
    const { storage } = this.#deps
    if (startedAt == null || await storage.get<number>(NODE_STARTED_KEY) === startedAt) return
    await storage.set(NODE_STARTED_KEY, startedAt)
    const { contacts, reconnector, current } = await this.boot()
    for (const peerId of recentPeers(await contacts.list(), Date.now(), current.settings.limits.stalePeerMs)) {
      const { closedBy, gaveUp } = reconnector.view(peerId)
      if (closedBy == null && !gaveUp && this.#nodeInfo?.peers[peerId]?.state !== 'connected') reconnector.want(peerId)
    }
  }

  /** The machine woke: every backoff starts over; relays and waiting peers are dialed at once. */
  async #woke (): Promise<void> {
    this.#deps.log('woke up: reconnecting at once')
    await (await this.boot()).reconnector.wokeAll()
    await this.#callOffscreen('woke').catch(() => {})
  }

  /** Takes a link offered by the offscreen document and (re)starts the node on it. */
  acceptLink (ports: readonly MessagePort[], epoch: number): void {
    const [toOffscreen, toWorker] = ports as [MessagePort, MessagePort]
    exposeOnPort(this.#workerApi(), toWorker)
    this.#offscreen.attach(toOffscreen, epoch)
    this.#deps.log('link %d up', epoch)
    void this.#syncNode()
      .then(async () => {
        this.#firstCallAfterStartMs ??= performance.now() - this.#deps.startedAt
        await (await this.boot()).outbox.flushAll()
        await this.#resumeRecentPeers()
      })
      .catch((err: unknown) => { this.#deps.log('could not start the node: %o', err) })
  }

  subscribe (port: EventPort): void {
    if (!this.api.subscribe(port)) return
    void this.status().then(status => { port.postMessage({ type: 'status', status }) }).catch(() => {})
  }

  async status (): Promise<Status> {
    const { identity, current, contacts } = await this.boot()
    const info = this.#nodeInfo
    const peers = await this.#peerViews(await contacts.list())
    const status: Status = {
      peerId: identity.peerId,
      node: info?.state ?? 'starting',
      link: { connected: this.#offscreen.connected, epoch: this.#offscreen.epoch, firstCallAfterStartMs: this.#firstCallAfterStartMs },
      limits: current.settings.limits,
      acceptUnknownPeers: current.settings.acceptUnknownPeers,
      connections: info?.connections ?? 0,
      requests: info?.requests ?? [],
      counters: info?.counters ?? freshCounters(),
      addresses: info?.addresses ?? [],
      relays: info?.relays ?? current.settings.relays.map(address => ({ address, state: 'connecting' as const })),
      peers
    }
    if (info?.error != null) status.nodeError = info.error
    return status
  }

  async #boot (): Promise<Parts> {
    const { storage, log } = this.#deps
    const identity = await loadOrCreateIdentity(storage)
    const store = await MessageStore.open()
    // The identity can change (an imported key): contacts read it when they need it.
    const self = { identity }
    const contacts = new Contacts(storage, () => self.identity.peerId)
    const announce = (message: MessageView): void => {
      this.#watch.notify(message)
      this.api.announce(message)
    }
    const settings = new SettingsStore(storage)
    const current = { settings: await settings.get() }
    const reconnector = await Reconnector.load({
      storage,
      limits: () => ({
        baseMs: current.settings.limits.retryBaseMs,
        capMs: current.settings.limits.retryCapMs,
        maxAttemptsPerMinute: current.settings.limits.maxAttemptsPerMinute,
        maxAttempts: Infinity,
        giveUpAfterPermanentErrors: DEFAULT_GIVE_UP_AFTER_PERMANENT_ERRORS
      }),
      connect: async (peerId) => { await this.#callOffscreen('connect', peerId) },
      onConnected: (peerId) => { outbox.unblock(peerId) },
      onGaveUp: async (peerId, lastError) => { await outbox.failPeer(peerId, 'given-up', lastError) },
      changed: () => { this.#statusSoon() },
      log
    })
    const outbox: Outbox = new Outbox({
      store,
      transmit: async (peerId, frames, skipTo) => { await this.#callOffscreen('sendMessages', peerId, frames, skipTo) },
      needConnection: (peerId) => { reconnector.want(peerId) },
      announce,
      limits: () => ({
        maxPendingMessages: current.settings.limits.maxPendingMessagesPerPeer,
        maxPendingBytes: current.settings.limits.maxPendingBytesPerPeer,
        maxMessageBytes: current.settings.limits.maxMessageBytes
      }),
      settings: () => ({
        ttlMs: current.settings.limits.messageTtlMs,
        ackTimeoutMs: current.settings.limits.ackTimeoutMs,
        maxInFlightBytes: current.settings.limits.maxInFlightBytesPerPeer
      }),
      log
    })
    const unread = new Unread(storage, this.#deps.showBadge)
    await unread.refreshBadge()
    const inbox = new Inbox(store, contacts, announce, async (peerId, count) => {
      await unread.add(peerId, count)
      this.#statusSoon()
    })
    const parts: Parts = { get identity () { return self.identity }, set identity (value) { self.identity = value }, settings, current, contacts, store, outbox, inbox, reconnector, unread }
    // Chrome can refuse here while it stops the worker ("No SW"); the state above
    // does not need the document, and the next call that needs a link ensures it again.
    const created = await this.#deps.offscreenDocument.ensure().catch((err: unknown) => {
      log('could not ensure the offscreen document: %o', err)
      return true
    })
    // A document that already ran (the worker restarted) waits to be asked for a link.
    if (!created && !this.#offscreen.connected) this.#deps.requestLink()
    setInterval(() => { void this.#checkOffscreenDocument() }, OFFSCREEN_CHECK_INTERVAL_MS)
    return parts
  }

  /** Re-creates a vanished offscreen document; its node comes back with the same identity. */
  async #checkOffscreenDocument (): Promise<void> {
    try {
      if (await this.#deps.offscreenDocument.exists()) return
      this.#deps.log('the offscreen document is gone; re-creating it')
      this.#offscreen.close('the offscreen document was closed')
      this.#nodeInfo = undefined
      await this.#deps.offscreenDocument.ensure()
    } catch (err) {
      this.#deps.log('could not check the offscreen document: %o', err)
    }
  }

  async #callOffscreen<K extends keyof OffscreenApi & string> (method: K, ...args: Parameters<OffscreenApi[K]>): Promise<Awaited<ReturnType<OffscreenApi[K]>>> {
    return await retryOnLinkLoss(async () => await this.#offscreen.call(method, ...args))
  }

  async #message (id: string): Promise<MessageView> {
    const { store, outbox } = await this.boot()
    const message = await store.get(id)
    if (message == null) throw new ValidationError('id', `no message ${id}`)
    return outbox.overlay(message)
  }

  /** Waits for a final state; a failed message answers with its typed error. */
  async #awaitFinal (message: MessageView, timeoutMs: number): Promise<MessageView> {
    const final = await this.#watch.wait(message, timeoutMs, async () => await this.#message(message.id))
    if (final.state === 'failed' && final.error != null) throw deserializeError(final.error)
    return final
  }

  async #syncNode (): Promise<void> {
    const { identity, current } = await this.boot()
    const { relays, iceServers, limits, acceptUnknownPeers } = current.settings
    const allowedPeers = await this.#allowedPeers()
    await this.#nodeChanged(await this.#callOffscreen('start', {
      privateKey: identity.privateKey,
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
  }

  /** Contacts may open streams to us, except those the user closed. */
  async #allowedPeers (): Promise<string[]> {
    const { contacts, reconnector } = await this.boot()
    return (await contacts.list()).map(c => c.peerId).filter(id => reconnector.view(id).closedBy !== 'local')
  }

  async #syncAllowedPeers (): Promise<void> {
    await this.#callOffscreen('setAllowedPeers', await this.#allowedPeers())
    await this.#nodeChanged(await this.#callOffscreen('info'))
  }

  #statusSoon (): void {
    if (this.#statusTimer != null) return
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined
      void this.status().then(status => { this.api.broadcast({ type: 'status', status }) }).catch(() => {})
    }, 50)
  }

  async #nodeChanged (info: NodeInfo): Promise<void> {
    this.#nodeInfo = info
    this.api.broadcast({ type: 'status', status: await this.status() })
  }

  /** One contact's view (for answers about a single peer). */
  async #peerView (peerId: string): Promise<PeerView> {
    const [view] = await this.#peerViews([await (await this.boot()).contacts.get(peerId)])
    return view!
  }

  /** Views of `contacts`, reading the outbox ledgers and unread counts once for all of them. */
  async #peerViews (contacts: Contact[]): Promise<PeerView[]> {
    const { store, reconnector, outbox, unread } = await this.boot()
    const pending = await store.pendingByPeer()
    const unreadCounts = await unread.counts()
    return contacts.map((contact) => {
      const { peerId } = contact
      const live = this.#nodeInfo?.peers[peerId]
      const policy = reconnector.view(peerId)
      const connected = live?.state === 'connected'
      const state: PeerView['state'] = policy.closedBy != null
        ? 'closed'
        : policy.gaveUp ? 'given-up' : !connected && policy.nextAttemptAt != null ? 'reconnecting' : live?.state ?? 'idle'
      const view: PeerView = {
        peerId,
        name: contact.name,
        state,
        connection: live?.connection ?? null,
        lastSeen: connected ? Date.now() : contact.lastSeen,
        pending: pending.get(peerId) ?? { messages: 0, bytes: 0 },
        dialAttempts: live?.dialAttempts ?? 0,
        bufferedBytes: live?.bufferedBytes ?? 0,
        inFlightBytes: outbox.inFlightBytes(peerId),
        unread: unreadCounts[peerId] ?? 0,
        rttMs: connected ? live?.rttMs ?? null : null,
        rttHistoryMs: live?.rttHistoryMs ?? []
      }
      if (live?.lastError != null) view.lastError = live.lastError
      if (live?.lastClose != null) view.lastClose = live.lastClose
      if (policy.closedBy != null) view.closedBy = policy.closedBy
      if (policy.nextAttemptAt != null && !connected) view.nextAttemptAt = policy.nextAttemptAt
      return view
    })
  }

  /** The canonical id of a contact named by a caller; `ValidationError` or `UnknownPeerError` otherwise. */
  async #contactId (peerId: string): Promise<string> {
    return (await (await this.boot()).contacts.get(parsePeerId(peerId))).peerId
  }

  /** A contact one may send to now; `PeerClosedError` when the conversation was closed on purpose. */
  async #openConversation (peerId: string): Promise<string> {
    const id = await this.#contactId(peerId)
    const { closedBy } = (await this.boot()).reconnector.view(id)
    if (closedBy != null) throw new PeerClosedError(id, closedBy)
    return id
  }

  /** Saves a settings change (validated by `SettingsStore`), applies it to the node, answers the status. */
  async #changeSettings (change: (settings: SettingsStore) => Promise<Settings>): Promise<Status> {
    const { settings, current } = await this.boot()
    current.settings = await change(settings)
    await this.#syncNode()
    return await this.status()
  }

  #workerApi (): WorkerApi {
    const parts = async (): Promise<Parts> => await this.boot()
    return {
      deliver: async (peerId, frames) => await (await parts()).inbox.receive(peerId, frames),
      acked: async (peerId, seq) => { await (await parts()).outbox.onAck(peerId, seq) },
      skipTo: async (peerId, seq) => await (await parts()).store.skipIncoming(peerId, seq),
      peerHello: async (peerId, next) => {
        const { reconnector, outbox, contacts } = await parts()
        await reconnector.connected(peerId)
        await outbox.onHello(peerId, next)
        // A conversation is going on: the peer is dialed again after a restart of this node.
        await contacts.touch(peerId)
      },
      nextExpected: async (peerId) => await (await parts()).inbox.nextExpected(peerId),
      peerClosed: async (peerId) => {
        const { reconnector, outbox } = await parts()
        await reconnector.close(peerId, 'remote')
        await outbox.failPeer(peerId, 'peer-closed', 'the peer ended the conversation')
        this.#statusSoon()
      },
      // A reset or a broken transport is never "closed on purpose": reconnect.
      streamLost: async (peerId) => {
        const { reconnector, outbox } = await parts()
        outbox.onStreamLost(peerId)
        reconnector.want(peerId)
      },
      nodeChanged: async (info) => { await this.#nodeChanged(info) },
      woke: async () => { await this.#woke() },
      // The user chose to accept anyone: such a peer becomes a contact.
      unknownPeerAccepted: async (peerId) => {
        await (await parts()).contacts.add(peerId)
        await this.#syncAllowedPeers()
      }
    }
  }
}
