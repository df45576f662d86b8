import type { MessageView, PeerView, Status } from '../api/protocol.ts'
import {
  DEFAULT_ACK_TIMEOUT_MS, DEFAULT_LINK_TIMEOUT_MS, DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER, DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_PENDING_BYTES_PER_PEER, DEFAULT_MAX_PENDING_MESSAGES_PER_PEER, DEFAULT_MESSAGE_TTL_MS,
  DEFAULT_OFFSCREEN_CALL_TIMEOUT_MS, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS, DEFAULT_TRANSMIT_CALL_TIMEOUT_MS
} from '../common/constants.ts'
import { deserializeError, ValidationError } from '../common/errors/index.ts'
import { parsePeerId } from '../common/validators.ts'
import type { NodeInfo, OffscreenApi, WorkerApi } from '../link/apis.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { ApiServer, type EventPort } from './api-server.ts'
import { Contacts } from './contacts.ts'
import { DeliveryWatch } from './delivery-watch.ts'
import { loadOrCreateIdentity, type Identity } from './identity.ts'
import { Inbox } from './inbox.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { MessageStore } from './message-store.ts'
import type { OffscreenDocument } from './offscreen-document.ts'
import { Outbox } from './outbox.ts'
import { SettingsStore } from './settings.ts'

export interface BackgroundDeps {
  storage: KeyValueStore
  offscreenDocument: OffscreenDocument
  /** Asks a running offscreen document to offer a new link. */
  requestLink: () => void
  /** `performance.now()` when the worker's script started. */
  startedAt: number
  log: (format: string, ...args: unknown[]) => void
}

interface Parts {
  identity: Identity
  settings: SettingsStore
  contacts: Contacts
  store: MessageStore
  outbox: Outbox
  inbox: Inbox
}

/** How long `send` with `awaitDelivery` holds its answer before replying with the state so far. */
const SEND_AWAIT_DELIVERY_MS = 30_000
const DEFAULT_AWAIT_DELIVERY_MS = 30_000

/**
 * How often an awake worker checks that the offscreen document still exists.
 * Chrome may close it without a word, and a MessagePort to it does not say
 * so here; the check keeps nothing alive.
 */
const OFFSCREEN_CHECK_INTERVAL_MS = 2_000

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

  constructor (deps: BackgroundDeps) {
    this.#deps = deps
    this.#offscreen = new LinkEnd<OffscreenApi>({
      waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS,
      callTimeoutMs: method => method === 'sendMessages' || method === 'start' ? DEFAULT_TRANSMIT_CALL_TIMEOUT_MS : DEFAULT_OFFSCREEN_CALL_TIMEOUT_MS,
      // No link: the document may be gone (Chrome closed it) or may just need asking.
      onNeedLink: () => {
        void deps.offscreenDocument.ensure().then((created) => { if (!created) deps.requestLink() }, (err: unknown) => {
          deps.log('could not create the offscreen document: %o', err)
        })
      }
    })
    this.api = new ApiServer({
      getStatus: async () => await this.status(),
      setRelays: async ({ relays }) => {
        const { settings } = await this.boot()
        await settings.setRelays(relays)
        await this.#syncNode()
        return await this.status()
      },
      addPeer: async ({ peerId, name }) => {
        const { contacts } = await this.boot()
        const contact = await contacts.add(peerId, name)
        await this.#syncAllowedPeers()
        return await this.#peerView(contact.peerId)
      },
      removePeer: async ({ peerId }) => {
        const { contacts, outbox } = await this.boot()
        const id = parsePeerId(peerId)
        await contacts.remove(id)
        await this.#callOffscreen('closePeer', id).catch(() => {})
        await outbox.failPeer(id, 'peer-removed')
        await this.#syncAllowedPeers()
        return null
      },
      resetPeer: async ({ peerId }) => {
        const { contacts } = await this.boot()
        const id = (await contacts.get(parsePeerId(peerId))).peerId
        await this.#callOffscreen('resetPeer', id)
        return null
      },
      send: async ({ peerId, text, id, ttlMs, awaitDelivery }) => {
        const { contacts, outbox } = await this.boot()
        const contact = await contacts.get(parsePeerId(peerId))
        const message = await outbox.send({ peerId: contact.peerId, text, id, ttlMs })
        const final = awaitDelivery === true ? await this.#awaitFinal(message, SEND_AWAIT_DELIVERY_MS) : message
        return { id: final.id, state: final.state }
      },
      getMessage: async ({ id }) => await this.#message(id),
      awaitDelivery: async ({ id, timeoutMs }) => await this.#awaitFinal(await this.#message(id), timeoutMs ?? DEFAULT_AWAIT_DELIVERY_MS),
      getMessages: async ({ peerId, limit }) => {
        const { store } = await this.boot()
        return await store.list(parsePeerId(peerId), limit ?? 200)
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

  /** Periodic duties: expire old messages, retry what is pending, make sure the node runs. */
  async heartbeat (): Promise<void> {
    const { outbox } = await this.boot()
    await outbox.expire()
    await outbox.flushAll()
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
      })
      .catch((err: unknown) => { this.#deps.log('could not start the node: %o', err) })
  }

  subscribe (port: EventPort): void {
    if (!this.api.subscribe(port)) return
    void this.status().then(status => { port.postMessage({ type: 'status', status }) }).catch(() => {})
  }

  async status (): Promise<Status> {
    const { identity, settings, contacts } = await this.boot()
    const info = this.#nodeInfo
    const peers = await Promise.all((await contacts.list()).map(async c => await this.#peerView(c.peerId)))
    const status: Status = {
      peerId: identity.peerId,
      node: info?.state ?? 'starting',
      link: { connected: this.#offscreen.connected, epoch: this.#offscreen.epoch, firstCallAfterStartMs: this.#firstCallAfterStartMs },
      addresses: info?.addresses ?? [],
      relays: info?.relays ?? (await settings.get()).relays.map(address => ({ address, state: 'connecting' as const })),
      peers
    }
    if (info?.error != null) status.nodeError = info.error
    return status
  }

  async #boot (): Promise<Parts> {
    const { storage, log } = this.#deps
    const identity = await loadOrCreateIdentity(storage)
    const store = await MessageStore.open()
    const contacts = new Contacts(storage, identity.peerId)
    const announce = (message: MessageView): void => {
      this.#watch.notify(message)
      this.api.broadcast({ type: 'message', message })
    }
    const outbox = new Outbox({
      store,
      transmit: async (peerId, frames) => { await this.#callOffscreen('sendMessages', peerId, frames) },
      announce,
      limits: { maxPendingMessages: DEFAULT_MAX_PENDING_MESSAGES_PER_PEER, maxPendingBytes: DEFAULT_MAX_PENDING_BYTES_PER_PEER },
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      ttlMs: DEFAULT_MESSAGE_TTL_MS,
      ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
      maxInFlightBytes: DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER,
      retryBaseMs: DEFAULT_RETRY_BASE_MS,
      retryCapMs: DEFAULT_RETRY_CAP_MS,
      log
    })
    const parts: Parts = { identity, settings: new SettingsStore(storage), contacts, store, outbox, inbox: new Inbox(store, contacts, announce) }
    const created = await this.#deps.offscreenDocument.ensure()
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
    const message = await (await this.boot()).store.get(id)
    if (message == null) throw new ValidationError('id', `no message ${id}`)
    return message
  }

  /** Waits for a final state; a failed message answers with its typed error. */
  async #awaitFinal (message: MessageView, timeoutMs: number): Promise<MessageView> {
    const final = await this.#watch.wait(message, timeoutMs, async () => await this.#message(message.id))
    if (final.state === 'failed' && final.error != null) throw deserializeError(final.error)
    return final
  }

  async #syncNode (): Promise<void> {
    const { identity, settings, contacts } = await this.boot()
    const { relays, iceServers } = await settings.get()
    const allowedPeers = (await contacts.list()).map(c => c.peerId)
    await this.#nodeChanged(await this.#callOffscreen('start', { privateKey: identity.privateKey, relays, iceServers, allowedPeers }))
  }

  async #syncAllowedPeers (): Promise<void> {
    const { contacts } = await this.boot()
    await this.#callOffscreen('setAllowedPeers', (await contacts.list()).map(c => c.peerId))
    await this.#nodeChanged(await this.#callOffscreen('info'))
  }

  async #nodeChanged (info: NodeInfo): Promise<void> {
    this.#nodeInfo = info
    this.api.broadcast({ type: 'status', status: await this.status() })
  }

  async #peerView (peerId: string): Promise<PeerView> {
    const { contacts, store } = await this.boot()
    const contact = await contacts.get(peerId)
    const live = this.#nodeInfo?.peers[peerId]
    const view: PeerView = {
      peerId,
      name: contact.name,
      state: live?.state ?? 'idle',
      connection: live?.connection ?? null,
      lastSeen: live?.state === 'connected' ? Date.now() : contact.lastSeen,
      pending: (await store.pendingByPeer()).get(peerId) ?? { messages: 0, bytes: 0 }
    }
    if (live?.lastError != null) view.lastError = live.lastError
    return view
  }

  #workerApi (): WorkerApi {
    const parts = async (): Promise<Parts> => await this.boot()
    return {
      deliver: async (peerId, frames) => await (await parts()).inbox.receive(peerId, frames),
      acked: async (peerId, seq) => { await (await parts()).outbox.onAck(peerId, seq) },
      peerHello: async (peerId, next) => { await (await parts()).outbox.onHello(peerId, next) },
      nextExpected: async (peerId) => await (await parts()).inbox.nextExpected(peerId),
      peerClosed: async (peerId) => { await (await parts()).outbox.failPeer(peerId, 'peer-closed', 'the peer ended the conversation') },
      streamLost: async (peerId) => { (await parts()).outbox.onStreamLost(peerId) },
      nodeChanged: async (info) => { await this.#nodeChanged(info) }
    }
  }
}
