import type { MessageView, PeerView, Status } from '../api/protocol.ts'
import { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_LINK_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from '../common/constants.ts'
import { parsePeerId } from '../common/validators.ts'
import type { NodeInfo, OffscreenApi, WorkerApi } from '../link/apis.ts'
import { exposeOnPort, LinkEnd } from '../link/link-end.ts'
import { retryOnLinkLoss } from '../link/retry.ts'
import { ApiServer, type EventPort } from './api-server.ts'
import { Contacts } from './contacts.ts'
import { loadOrCreateIdentity, type Identity } from './identity.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { MessageStore } from './message-store.ts'
import { Messaging } from './messaging.ts'
import { SettingsStore } from './settings.ts'

export interface BackgroundDeps {
  storage: KeyValueStore
  /** Makes sure the offscreen document exists; answers true when it had to create it. */
  ensureOffscreenDocument: () => Promise<boolean>
  /** Asks a running offscreen document to offer a new link. */
  requestLink: () => void
  log: (format: string, ...args: unknown[]) => void
}

interface Parts {
  identity: Identity
  settings: SettingsStore
  contacts: Contacts
  messaging: Messaging
  store: MessageStore
}

/** How often lastSeen is written while a peer stays connected. */
const LAST_SEEN_WRITE_INTERVAL_MS = 10_000

/**
 * The brain: owns durable state and policy, and drives the offscreen
 * document's node over the link. Every entry point boots it idempotently.
 */
export class Background {
  readonly #deps: BackgroundDeps
  readonly #offscreen: LinkEnd<OffscreenApi>
  readonly api: ApiServer
  #parts: Promise<Parts> | undefined
  #nodeInfo: NodeInfo | undefined

  constructor (deps: BackgroundDeps) {
    this.#deps = deps
    this.#offscreen = new LinkEnd<OffscreenApi>({ waitForLinkMs: DEFAULT_LINK_TIMEOUT_MS, onNeedLink: deps.requestLink })
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
        const { contacts } = await this.boot()
        const id = parsePeerId(peerId)
        await contacts.remove(id)
        await this.#callOffscreen('closePeer', id).catch(() => {})
        await this.#syncAllowedPeers()
        return null
      },
      send: async ({ peerId, text, awaitDelivery }) => {
        const { messaging } = await this.boot()
        return await messaging.send(parsePeerId(peerId), text, awaitDelivery)
      },
      getMessages: async ({ peerId, limit }) => {
        const { store } = await this.boot()
        return await store.list(parsePeerId(peerId), limit ?? 200)
      }
    })
  }

  /** Loads state and makes sure the node runs; safe to call from every event. */
  async boot (): Promise<Parts> {
    this.#parts ??= this.#boot().catch((err: unknown) => {
      this.#parts = undefined
      throw err
    })
    return await this.#parts
  }

  /** Takes a link offered by the offscreen document and restarts the node if it needs to. */
  acceptLink (ports: readonly MessagePort[], epoch: number): void {
    const [toOffscreen, toWorker] = ports as [MessagePort, MessagePort]
    exposeOnPort(this.#workerApi(), toWorker)
    this.#offscreen.attach(toOffscreen, epoch)
    this.#deps.log('link %d up', epoch)
    void this.boot().then(async () => { await this.#syncNode() }).catch((err: unknown) => {
      this.#deps.log('could not start the node: %o', err)
    })
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
      addresses: info?.addresses ?? [],
      relays: info?.relays ?? (await settings.get()).relays.map(address => ({ address, state: 'connecting' as const })),
      peers
    }
    if (info?.error != null) status.nodeError = info.error
    return status
  }

  async #boot (): Promise<Parts> {
    const { storage } = this.#deps
    const identity = await loadOrCreateIdentity(storage)
    const store = await MessageStore.open()
    const contacts = new Contacts(storage, identity.peerId)
    const messaging = new Messaging({
      store,
      contacts,
      transmit: async (peerId, seq, body) => { await this.#callOffscreen('sendMessage', peerId, seq, body) },
      emit: event => { this.api.broadcast(event) },
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS
    })
    const parts: Parts = { identity, settings: new SettingsStore(storage), contacts, messaging, store }
    const created = await this.#deps.ensureOffscreenDocument()
    // A document that already ran (the worker restarted) waits to be asked for a link.
    if (!created && !this.#offscreen.connected) this.#deps.requestLink()
    return parts
  }

  async #callOffscreen<K extends keyof OffscreenApi & string> (method: K, ...args: Parameters<OffscreenApi[K]>): Promise<Awaited<ReturnType<OffscreenApi[K]>>> {
    return await retryOnLinkLoss(async () => await this.#offscreen.call(method, ...args))
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
    const { contacts } = await this.boot()
    this.#nodeInfo = info
    const now = Date.now()
    for (const contact of await contacts.list()) {
      const connected = info.peers[contact.peerId]?.state === 'connected'
      if (connected && now - (contact.lastSeen ?? 0) > LAST_SEEN_WRITE_INTERVAL_MS) await contacts.touch(contact.peerId, now)
    }
    this.api.broadcast({ type: 'status', status: await this.status() })
  }

  async #peerView (peerId: string): Promise<PeerView> {
    const { contacts } = await this.boot()
    const contact = await contacts.get(peerId)
    const live = this.#nodeInfo?.peers[peerId]
    const view: PeerView = {
      peerId,
      name: contact.name,
      state: live?.state ?? 'idle',
      connection: live?.connection ?? null,
      lastSeen: contact.lastSeen
    }
    if (live?.lastError != null) view.lastError = live.lastError
    return view
  }

  #workerApi (): WorkerApi {
    return {
      deliver: async (peerId, seq, body) => { await (await this.boot()).messaging.receive(peerId, seq, body) },
      acked: async (peerId, seq) => { await (await this.boot()).messaging.acknowledge(peerId, seq) },
      nodeChanged: async (info) => { await this.#nodeChanged(info) }
    }
  }
}

export type { MessageView }
