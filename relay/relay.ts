import { readFile, writeFile } from 'node:fs/promises'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify, type Identify } from '@libp2p/identify'
import type { ComponentLogger, Metrics, PrivateKey } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ConnectionsPerIp } from './connections-per-ip.ts'
import { loadOrCreateCertificate } from './webrtc-certificate.ts'

export interface RelayOptions {
  host: string
  /** WebSocket port; 'off': none. */
  port: number | 'off'
  /** UDP port of the WebRTC-direct listener; none: off. */
  webrtcPort?: number
  /** Where its certificate is kept; none: a new one each run. */
  certificateFile?: string
  /** Where the relay's key is kept so its address stays the same across restarts; none: a new key each run. */
  keyFile?: string
  maxReservations: number
  /** Connections held at once; past it libp2p refuses new ones. */
  maxConnections: number
  /** Connections one IP address may hold at once, open or in their handshake. */
  maxConnectionsPerIp: number
  /** New connections one IP address may open a second. */
  newConnectionsPerIp: number
  /** Addresses exempt from both: the operator's TLS proxy. */
  proxyIps: string[]
  /** A private relay's guests: only these peer ids get past the handshake; none: anyone. */
  allowedPeers?: ReadonlySet<string>
  /** Told of each connection refused for its address's share, with the address. */
  onRefused?: (cause: 'connections-per-ip' | 'new-connections-per-ip' | 'not-allowed', detail: string) => void
  /** libp2p's metrics (Prometheus), when the operator asked for a metrics port. */
  libp2pMetrics?: (components: { logger: ComponentLogger }) => Metrics
  /** How long a reservation lasts unless refreshed. */
  reservationTtlSeconds: number
  /** Bytes one relayed connection may carry (both directions together). */
  maxRelayBytes: bigint
  /** Seconds one relayed connection may last. */
  maxRelaySeconds: number
}

// A type alias, not an interface: libp2p's ServiceMap wants an index signature, which only aliases get implicitly.
export type RelayServices = {
  identify: Identify
  ping: Ping
  relay: CircuitRelayService
}

/** Loads the relay's key from `keyFile`, creating and saving one on first use. */
export async function loadOrCreateKey (keyFile?: string): Promise<PrivateKey> {
  if (keyFile != null) {
    try {
      return privateKeyFromProtobuf(await readFile(keyFile))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  const key = await generateKeyPair('Ed25519')
  if (keyFile != null) await writeFile(keyFile, privateKeyToProtobuf(key), { mode: 0o600 })
  return key
}

/** Starts a circuit-relay v2 server over WebSockets and WebRTC-direct: browsers reserve slots on it and signal WebRTC through it. */
export async function startRelay (options: RelayOptions): Promise<Libp2p<RelayServices>> {
  const ip = options.host.includes(':') ? 'ip6' : 'ip4'
  const perIp = new ConnectionsPerIp({
    max: options.maxConnectionsPerIp,
    perSecond: options.newConnectionsPerIp,
    exempt: options.proxyIps,
    onRefused: (cause, address) => { options.onRefused?.(cause, address) }
  })
  const node = await createLibp2p({
    privateKey: await loadOrCreateKey(options.keyFile),
    addresses: {
      listen: [
        ...(options.port === 'off' ? [] : [`/${ip}/${options.host}/tcp/${options.port}/ws`]),
        ...(options.webrtcPort == null ? [] : [`/${ip}/${options.host}/udp/${options.webrtcPort}/webrtc-direct`])
      ]
    },
    transports: [
      ...(options.port === 'off' ? [] : [webSockets()]),
      ...(options.webrtcPort == null ? [] : [webRTCDirect({ certificate: await loadOrCreateCertificate(options.certificateFile) })])
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // libp2p's Node default is 300 connections (libp2p 3.3.11, connection-manager/constants.js): far fewer than the reservations.
      maxConnections: options.maxConnections,
      // Its default of 10 handshakes at once, for everyone together, lets one host that never finishes its handshakes
      // shut the door on all; each host's handshakes count against its own share instead (connections-per-ip.ts).
      maxIncomingPendingConnections: Math.max(64, options.maxConnectionsPerIp * 4),
      // Its per-host rate knows no proxy: the relay's own (connections-per-ip.ts) replaces it.
      inboundConnectionThreshold: Number.MAX_SAFE_INTEGER
    },
    connectionGater: {
      denyDialMultiaddr: () => false,
      denyInboundConnection: maConn => perIp.deny(maConn),
      denyInboundEncryptedConnection: (peer) => {
        if (options.allowedPeers == null || options.allowedPeers.has(peer.toString())) return false
        options.onRefused?.('not-allowed', peer.toString())
        return true
      }
    },
    metrics: options.libp2pMetrics,
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: options.maxReservations,
          reservationTtl: options.reservationTtlSeconds * 1000,
          defaultDurationLimit: options.maxRelaySeconds * 1000,
          defaultDataLimit: options.maxRelayBytes
        }
      })
    }
  })
  perIp.watch(node)
  return node
}
