import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import type { RelayView } from '../common/model.ts'
import {
  DEFAULT_DIAL_ATTEMPTS, DEFAULT_DIAL_TIMEOUT_MS, FIRST_DIAL_ICE_WAIT_MS, DEFAULT_MAX_BUFFERED_INBOUND_BYTES, MAX_CONTACT_ADDRESSES, MAX_RELAY_POOL, MAX_RELAY_POOL_PER_PEER, NODE_REPORT_DELAY_MS,
  PEERLINK_PROTOCOL, RTT_PING_TIMEOUT_MS, SPEED_TEST_PROTOCOL, WAKE_LATE_MS, WAKE_TICK_MS
} from '../common/constants.ts'
import { makeCoalescer } from '../common/timing/coalescer.ts'
import { ResourceLimitError } from '../common/errors/index.ts'
import { usablePeerAddresses } from '../common/validators.ts'
import { WakeDetector } from '../common/timing/wake-detector.ts'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeConfig, NodeInfo, OffscreenApi, WorkerApi } from '../link/apis.ts'
import { IceConfig, RelayIceOffers } from './ice/index.ts'
import { MailCourier, mailKeys } from './mailbox/index.ts'
import { createNode } from './node.ts'
import { type ChannelSink, InboundBudget, makeSpeedTestHandler, PeerChannels, RttMonitor, runSpeedTest } from './streams/index.ts'
import { circuitAddresses, PeerGate, RelayKeeper, relayPeerId, RelayPool } from './reach/index.ts'

export interface NodeRuntimeOptions {
  /** Inbound messages, acks and mail go here; `changed` is replaced by the runtime's own reporting. */
  sink: Omit<ChannelSink, 'changed'> & Pick<WorkerApi, 'mailArrived'>
  /** Called when the clock jumped (the machine slept). */
  woke: () => void
  /** Receives the node's state whenever it changes (coalesced). */
  report: (info: NodeInfo) => void
  log: (format: string, ...args: unknown[]) => void
}

function sameConfig (a: NodeConfig, b: NodeConfig): boolean {
  return a.privateKey.length === b.privateKey.length && a.privateKey.every((byte, i) => byte === b.privateKey[i]) &&
    JSON.stringify(a.relays) === JSON.stringify(b.relays)
}

function sameBytesList (a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((byte, j) => byte === b[i]![j]))
}

/** Runs the libp2p node and its channels; implements what the worker may ask of the offscreen document. */
export class NodeRuntime {
  readonly #options: NodeRuntimeOptions
  readonly #budget = new InboundBudget(DEFAULT_MAX_BUFFERED_INBOUND_BYTES)
  // One gate for the document's life: counters and requests outlive node restarts.
  readonly #gate = new PeerGate(() => this.#node?.getConnections() ?? [], () => { this.#report() })
  /** The ICE servers WebRTC uses: read for every new connection, so changes apply without a restart. */
  readonly #ice = new IceConfig()
  /** Relays contacts are known to use; kept across node restarts. */
  readonly #pool = new RelayPool(MAX_RELAY_POOL, MAX_RELAY_POOL_PER_PEER)
  #iceOffers: RelayIceOffers | undefined
  #config: NodeConfig | undefined
  #node: Libp2p | undefined
  #channels: PeerChannels | undefined
  #relayKeeper: RelayKeeper | undefined
  #mail: MailCourier | undefined
  #rtt: RttMonitor | undefined
  #starting: Promise<void> | undefined
  #startedAt: number | null = null
  #error: string | undefined
  /** Sends the node's state to the worker once per burst of changes. */
  readonly #report = makeCoalescer(() => { this.#options.report(this.info()) }, NODE_REPORT_DELAY_MS)
  readonly #wakeTicks: RepeatingTask

  constructor (options: NodeRuntimeOptions) {
    this.#options = options
    const detector = new WakeDetector(WAKE_TICK_MS, WAKE_LATE_MS)
    this.#wakeTicks = repeatingTask(() => {
      if (!detector.tick(Date.now())) return
      options.log('the clock jumped: the machine woke up')
      this.#relayKeeper?.woke()
      options.woke()
    }, WAKE_TICK_MS)
    this.#wakeTicks.start()
  }

  /** The API exposed to the worker over the link. */
  api (): OffscreenApi {
    return {
      start: async (config) => { await this.#start(config); return this.info() },
      info: async () => this.info(),
      setAllowedPeers: async (peerIds) => {
        if (this.#config == null) return
        this.#config.allowedPeers = peerIds
        this.#applyConfig(this.#config)
      },
      changeAllowedPeers: async ({ allow, disallow }) => {
        if (this.#config == null) return
        const allowed = new Set(this.#config.allowedPeers)
        for (const peerId of allow) allowed.add(peerId)
        for (const peerId of disallow) allowed.delete(peerId)
        this.#config.allowedPeers = [...allowed]
        this.#applyConfig(this.#config)
      },
      dismissRequest: async (peerId) => {
        this.#gate.dismiss(peerId)
        // Refused, not accepted (an accepted one is a contact by now): what it left us goes unread.
        if (!this.#gate.isContact(peerId)) this.#mail?.refused(peerId)
      },
      forgetPeers: async (peerIds) => { this.#channels?.forget(peerIds) },
      sendMessages: async (peerId, frames) => { await this.#ready().sendMessages(peerId, frames) },
      connect: async (peerId, addresses) => { await this.#ready().connect(peerId, addresses) },
      closePeer: async (peerId) => { await this.#channels?.closePeer(peerId) },
      resetPeer: async (peerId) => { this.#channels?.resetPeer(peerId) },
      woke: async () => { this.#relayKeeper?.woke() },
      speedTest: async (peerId, request) => {
        if (this.#node == null) throw new Error('the node is not running yet')
        return await runSpeedTest(this.#node, peerId, request)
      },
      diagnostics: async () => ({
        // Chrome's non-standard performance.memory; null where it is missing.
        jsHeapUsedBytes: (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
        inboundBufferedBytes: this.#budget.used
      }),
      depositMail: async (peerId, mail) => {
        if (this.#mail == null) throw new Error(this.#error ?? 'the node is not running yet')
        const outcome = await this.#mail.deposit(peerId, mail)
        this.#report()
        return outcome
      },
      setMailboxTokens: async (tokenHashes) => {
        if (this.#config != null) this.#config.mailboxTokenHashes = tokenHashes
        this.#mail?.tokensChanged(tokenHashes)
      },
      fetchMail: async () => { await this.#mail?.fetchAll() }
    }
  }

  info (): NodeInfo {
    const node = this.#node
    const addresses = node?.getMultiaddrs().map(ma => ma.toString()) ?? []
    const relays: RelayView[] = (this.#relayKeeper?.view(addresses) ?? (this.#config?.relays ?? []).map((address): RelayView => ({ address, state: 'connecting' })))
      .map(relay => {
        const mailbox = this.#mail?.view(relay.address)
        return mailbox == null ? relay : { ...relay, mailbox }
      })
    const info: NodeInfo = {
      peerId: node?.peerId.toString() ?? null,
      state: this.#error != null ? 'error' : node != null && this.#starting == null ? 'running' : 'starting',
      addresses,
      relays,
      peers: Object.fromEntries(Object.entries(this.#channels?.snapshot() ?? {}).map(([peerId, peer]) =>
        [peerId, { ...peer, ...(this.#rtt?.view(peerId) ?? { rttMs: null, rttHistoryMs: [] }) }])),
      connections: this.#gate.connectionCount(),
      requests: this.#gate.requests(),
      counters: { ...this.#gate.counters },
      startedAt: this.#node == null ? null : this.#startedAt,
      iceServers: this.#ice.view()
    }
    if (this.#error != null) info.error = this.#error
    return info
  }

  /** Stops the node for good (the document is going away), closing every stream with a FIN first. */
  async stop (): Promise<void> {
    this.#wakeTicks.stop()
    await this.#stopNode()
    this.#report.stop()
  }

  /** Stops the running node, closing every stream with a FIN first; a new one may start after. */
  async #stopNode (): Promise<void> {
    const node = this.#node
    const channels = this.#channels
    this.#node = undefined
    this.#channels = undefined
    channels?.stop()
    await channels?.closeAll()
    this.#relayKeeper?.stop()
    this.#relayKeeper = undefined
    this.#mail?.stop()
    this.#mail = undefined
    this.#iceOffers?.stop()
    this.#iceOffers = undefined
    this.#rtt?.stop()
    this.#rtt = undefined
    await node?.stop()
  }

  #ready (): PeerChannels {
    if (this.#channels == null) throw new Error(this.#error ?? 'the node is not running yet')
    return this.#channels
  }

  async #start (config: NodeConfig): Promise<void> {
    while (this.#starting != null) await this.#starting
    if (this.#node != null && this.#config != null && sameConfig(this.#config, config)) {
      // Contacts and limits apply live, without a restart; so do the tokens our mailbox takes.
      const tokensChanged = !sameBytesList(this.#config.mailboxTokenHashes, config.mailboxTokenHashes)
      this.#config = config
      this.#applyConfig(config)
      if (tokensChanged) this.#mail?.tokensChanged(config.mailboxTokenHashes)
      return
    }
    this.#starting = this.#restart(config).finally(() => {
      this.#starting = undefined
      this.#report()
    })
    await this.#starting
  }

  async #restart (config: NodeConfig): Promise<void> {
    await this.#stopNode()
    this.#config = config
    this.#error = undefined
    this.#report()
    try {
      this.#applyConfig(config)
      const node = await createNode(config, this.#gate, this.#ice.rtcConfiguration)
      const channels = new PeerChannels({
        node,
        sink: { ...this.#options.sink, changed: () => { this.#report() } },
        relays: config.relays,
        pool: this.#pool,
        budget: this.#budget,
        gate: this.#gate,
        onForget: (peerId) => { this.#rtt?.forget(peerId) },
        // Our relayed addresses: where peers can reach us through a relay.
        ownAddresses: () => circuitAddresses(node.peerId.toString(), node.getMultiaddrs().map(String), MAX_CONTACT_ADDRESSES),
        maxMessageBytes: () => this.#config?.maxMessageBytes ?? config.maxMessageBytes,
        stuckMs: () => this.#config?.stuckStreamMs ?? config.stuckStreamMs,
        writeTimeoutMs: () => this.#config?.writeTimeoutMs ?? config.writeTimeoutMs,
        inactivityTimeoutMs: () => this.#config?.inactivityTimeoutMs ?? config.inactivityTimeoutMs,
        idleConnectionMs: () => this.#config?.idleConnectionMs ?? config.idleConnectionMs,
        dialTimeoutMs: DEFAULT_DIAL_TIMEOUT_MS,
        dialAttempts: DEFAULT_DIAL_ATTEMPTS,
        iceServersKnown: async () => { await this.#iceOffers?.serversKnown(FIRST_DIAL_ICE_WAIT_MS) },
        log: this.#options.log
      })
      // A relayed connection carries Peerlink's stream when WebRTC cannot connect (within the relay's limits).
      await node.handle(PEERLINK_PROTOCOL, channels.handleInbound, { runOnLimitedConnection: true })
      await node.handle(SPEED_TEST_PROTOCOL, makeSpeedTestHandler(peerId => this.#gate.isContact(peerId)))
      for (const event of ['self:peer:update', 'connection:open', 'connection:close'] as const) {
        node.addEventListener(event, () => { this.#report() })
      }
      node.addEventListener('peer:disconnect', (event) => { channels.onPeerDisconnect(event.detail.toString()) })
      const iceOffers = new RelayIceOffers({ node, relays: config.relays, ice: this.#ice, changed: () => { this.#report() }, log: this.#options.log })
      node.addEventListener('self:peer:update', () => { iceOffers.addressesChanged() })
      node.addEventListener('peer:identify', (event) => { this.#learnAddresses(event.detail.peerId.toString(), event.detail.listenAddrs.map(String)) })
      // The gater refuses what it can; a connection that got past it over the limit is torn down.
      node.addEventListener('connection:open', (event) => {
        const connection = event.detail
        const peerId = connection.remotePeer.toString()
        if (connection.direction !== 'inbound' || this.#gate.isRelay(peerId)) return
        const count = this.#gate.connectionCount()
        if (count <= this.#gate.maxConnections) return
        this.#gate.counters.tornDownOverLimit++
        connection.abort(new ResourceLimitError('connections', this.#gate.maxConnections, count))
      })
      const relayKeeper = new RelayKeeper({
        node,
        relays: config.relays,
        dialTimeoutMs: DEFAULT_DIAL_TIMEOUT_MS,
        retryBaseMs: () => this.#config?.retryBaseMs ?? config.retryBaseMs,
        retryCapMs: () => this.#config?.retryCapMs ?? config.retryCapMs,
        changed: () => { this.#report() },
        unreachable: (address) => { iceOffers.unreachable(address) },
        log: this.#options.log
      })
      relayKeeper.start()
      const ownAddresses = (): string[] => circuitAddresses(node.peerId.toString(), node.getMultiaddrs().map(String), MAX_CONTACT_ADDRESSES)
      const mail = new MailCourier({
        node,
        keys: await mailKeys(privateKeyFromProtobuf(config.privateKey), node.peerId.toString()),
        relays: config.relays,
        tokenHashes: config.mailboxTokenHashes,
        sink: this.#options.sink,
        isContact: peerId => this.#gate.isContact(peerId),
        acceptUnknownPeers: () => this.#config?.acceptUnknownPeers ?? false,
        request: peerId => { this.#gate.mailFrom(peerId) },
        // The HELLO a stream would carry: the receiver learns our limits, where we are, and our token for it.
        hello: conversation => ({
          ...conversation,
          maxMessageBytes: this.#config?.maxMessageBytes ?? config.maxMessageBytes,
          inactivityTimeoutMs: this.#config?.inactivityTimeoutMs ?? config.inactivityTimeoutMs,
          addresses: ownAddresses()
        }),
        counters: this.#gate.counters,
        changed: () => { this.#report() },
        log: this.#options.log
      })
      await mail.start()
      node.addEventListener('self:peer:update', () => { mail.addressesChanged(node.getMultiaddrs().map(String)) })
      // Relayed peers are not pinged: the relay counts every byte, and libp2p's ping would dial the peer anew rather than use a limited connection.
      this.#rtt = new RttMonitor(async (peerId) => await node.services.ping.ping(peerIdFromString(peerId), { signal: AbortSignal.timeout(RTT_PING_TIMEOUT_MS) }),
        () => channels.connectedPeers().filter(peerId => node.getConnections(peerIdFromString(peerId)).some(c => c.status === 'open' && c.limits == null)),
        () => { this.#report() })
      this.#node = node
      this.#startedAt = Date.now()
      this.#channels = channels
      this.#relayKeeper = relayKeeper
      this.#mail = mail
      this.#iceOffers = iceOffers
      iceOffers.addressesChanged()
      this.#options.log('node %s running, listening on %o', node.peerId.toString(), node.getMultiaddrs().map(String))
    } catch (err) {
      this.#error = `${(err as Error).name}: ${(err as Error).message}`
      this.#options.log('node failed to start: %s', this.#error)
    }
  }

  #applyConfig (config: NodeConfig): void {
    this.#ice.setUser(config.iceServers)
    this.#gate.configure({
      allowedPeers: config.allowedPeers,
      relayPeers: config.relays.map(relayPeerId),
      relayAddresses: config.relays,
      acceptUnknownPeers: config.acceptUnknownPeers,
      maxConnections: config.maxConnections
    })
    this.#channels?.allowedChanged()
  }

  /**
   * What identify says of a contact: the relays it is reserved on, for the
   * worker to keep and for our pool; checked as a HELLO's addresses are.
   */
  #learnAddresses (peerId: string, listenAddrs: string[]): void {
    if (!this.#gate.isContact(peerId)) return
    const { addresses, refused } = usablePeerAddresses(peerId, circuitAddresses(peerId, listenAddrs, MAX_CONTACT_ADDRESSES))
    if (refused > 0) {
      this.#gate.counters.refusedAddresses += refused
      this.#report()
    }
    if (addresses.length === 0) return
    this.#pool.learn(peerId, addresses)
    this.#options.sink.peerAddresses(peerId, addresses).catch((err: Error) => { this.#options.log('addresses of %s not kept: %s', peerId, err.message) })
  }
}
