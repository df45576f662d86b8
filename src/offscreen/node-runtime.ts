import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import type { RelayView } from '../common/model.ts'
import {
  DEFAULT_DIAL_ATTEMPTS, DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_MAX_BUFFERED_INBOUND_BYTES, NODE_REPORT_DELAY_MS, PEERLINK_PROTOCOL,
  RTT_PING_TIMEOUT_MS, SPEED_TEST_PROTOCOL, WAKE_LATE_MS, WAKE_TICK_MS
} from '../common/constants.ts'
import { makeCoalescer } from '../common/coalescer.ts'
import { ResourceLimitError } from '../common/errors/index.ts'
import { WakeDetector } from '../common/wake-detector.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeConfig, NodeInfo, OffscreenApi } from '../link/apis.ts'
import { createNode } from './node.ts'
import { InboundBudget } from './inbound-budget.ts'
import { PeerChannels, type ChannelSink } from './peer-channels.ts'
import { PeerGate } from './peer-gate.ts'
import { RelayKeeper, relayPeerId } from './relay-keeper.ts'
import { RttMonitor } from './rtt-monitor.ts'
import { makeSpeedTestHandler, runSpeedTest } from './speed-test.ts'

export interface NodeRuntimeOptions {
  /** Inbound messages and acks go here; `changed` is replaced by the runtime's own reporting. */
  sink: Omit<ChannelSink, 'changed'>
  /** Called when the clock jumped (the machine slept). */
  woke: () => void
  /** Receives the node's state whenever it changes (coalesced). */
  report: (info: NodeInfo) => void
  log: (format: string, ...args: unknown[]) => void
}

function sameConfig (a: NodeConfig, b: NodeConfig): boolean {
  return a.privateKey.length === b.privateKey.length && a.privateKey.every((byte, i) => byte === b.privateKey[i]) &&
    JSON.stringify(a.relays) === JSON.stringify(b.relays) &&
    JSON.stringify(a.iceServers) === JSON.stringify(b.iceServers)
}

/** Runs the libp2p node and its channels; implements what the worker may ask of the offscreen document. */
export class NodeRuntime {
  readonly #options: NodeRuntimeOptions
  readonly #budget = new InboundBudget(DEFAULT_MAX_BUFFERED_INBOUND_BYTES)
  // One gate for the document's life: counters and requests outlive node restarts.
  readonly #gate = new PeerGate(() => this.#connectedPeers(), () => { this.#report() })
  #config: NodeConfig | undefined
  #node: Libp2p | undefined
  #channels: PeerChannels | undefined
  #relayKeeper: RelayKeeper | undefined
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
      dismissRequest: async (peerId) => { this.#gate.dismiss(peerId) },
      forgetPeers: async (peerIds) => { this.#channels?.forget(peerIds) },
      sendMessages: async (peerId, frames, skipTo) => { await this.#ready().sendMessages(peerId, frames, skipTo) },
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
      })
    }
  }

  info (): NodeInfo {
    const node = this.#node
    const addresses = node?.getMultiaddrs().map(ma => ma.toString()) ?? []
    const relays: RelayView[] = this.#relayKeeper?.view(addresses) ?? (this.#config?.relays ?? []).map(address => ({ address, state: 'connecting' }))
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
      iceServers: (this.#config?.iceServers ?? []).map(server => ({ urls: [server.urls].flat(), source: 'user' as const }))
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
      // Contacts and limits apply live, without a restart.
      this.#config = config
      this.#applyConfig(config)
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
      const node = await createNode(config, this.#gate)
      const channels = new PeerChannels({
        node,
        sink: { ...this.#options.sink, changed: () => { this.#report() } },
        relays: config.relays,
        budget: this.#budget,
        gate: this.#gate,
        onForget: (peerId) => { this.#rtt?.forget(peerId) },
        maxMessageBytes: () => this.#config?.maxMessageBytes ?? config.maxMessageBytes,
        stuckMs: () => this.#config?.stuckStreamMs ?? config.stuckStreamMs,
        writeTimeoutMs: () => this.#config?.writeTimeoutMs ?? config.writeTimeoutMs,
        inactivityTimeoutMs: () => this.#config?.inactivityTimeoutMs ?? config.inactivityTimeoutMs,
        dialTimeoutMs: DEFAULT_DIAL_TIMEOUT_MS,
        dialAttempts: DEFAULT_DIAL_ATTEMPTS,
        log: this.#options.log
      })
      await node.handle(PEERLINK_PROTOCOL, channels.handleInbound)
      await node.handle(SPEED_TEST_PROTOCOL, makeSpeedTestHandler(peerId => this.#gate.isContact(peerId)))
      for (const event of ['self:peer:update', 'connection:open', 'connection:close'] as const) {
        node.addEventListener(event, () => { this.#report() })
      }
      node.addEventListener('peer:disconnect', (event) => { channels.onPeerDisconnect(event.detail.toString()) })
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
        log: this.#options.log
      })
      relayKeeper.start()
      this.#rtt = new RttMonitor(async (peerId) => await node.services.ping.ping(peerIdFromString(peerId), { signal: AbortSignal.timeout(RTT_PING_TIMEOUT_MS) }),
        () => channels.connectedPeers(), () => { this.#report() })
      this.#node = node
      this.#startedAt = Date.now()
      this.#channels = channels
      this.#relayKeeper = relayKeeper
      this.#options.log('node %s running, listening on %o', node.peerId.toString(), node.getMultiaddrs().map(String))
    } catch (err) {
      this.#error = `${(err as Error).name}: ${(err as Error).message}`
      this.#options.log('node failed to start: %s', this.#error)
    }
  }

  #applyConfig (config: NodeConfig): void {
    this.#gate.configure({
      allowedPeers: config.allowedPeers,
      relayPeers: config.relays.map(relayPeerId),
      acceptUnknownPeers: config.acceptUnknownPeers,
      maxConnections: config.maxConnections
    })
    this.#channels?.allowedChanged()
  }

  #connectedPeers (): Set<string> {
    const peers = new Set<string>()
    for (const connection of this.#node?.getConnections() ?? []) {
      if (connection.status === 'open') peers.add(connection.remotePeer.toString())
    }
    return peers
  }
}
