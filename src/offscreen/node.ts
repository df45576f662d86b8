import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { FaultTolerance } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { webTransport } from '@libp2p/webtransport'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { NodeConfig } from '../link/apis.ts'
import type { PeerGate } from './reach/index.ts'

/** Creates and starts the browser's libp2p node: WebRTC through circuit relays; WebSockets, WebTransport and WebRTC-direct to reach relays. */
export async function createNode (config: NodeConfig, gate: PeerGate, rtcConfiguration: () => Promise<RTCConfiguration>): Promise<Libp2p<{ ping: Ping }>> {
  return await createLibp2p({
    privateKey: privateKeyFromProtobuf(config.privateKey),
    addresses: {
      // One relay search per configured relay: libp2p reserves on relays as
      // soon as they are connected, and again after they come back (the
      // RelayKeeper dials them). A relay-specific listen address would not be
      // reserved again after the relay restarted.
      listen: [...config.relays.map(() => '/p2p-circuit'), '/webrtc']
    },
    transports: [
      webSockets(),
      webTransport(),
      // Asked for every new peer connection: the user's ICE servers or the relays' offers as they are then (ice-config.ts).
      webRTC({ rtcConfiguration }),
      // Relays on a bare IP address, with no domain or TLS certificate: the address carries the certificate's hash.
      webRTCDirect(),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      // libp2p's browser default refuses ws:// and every private address, and local relays use both:
      // a private or loopback address is dialed only when it is one of the user's relays (peer-gate.ts).
      denyDialMultiaddr: (address) => gate.refuseDial(address),
      // Unknown peers are refused before they can even signal WebRTC through the relay,
      // and so is any peer over the connection limit.
      denyInboundRelayedConnection: (_relay, remotePeer) => gate.refuseInbound(remotePeer.toString()),
      denyInboundUpgradedConnection: (remotePeer) => gate.refuseInbound(remotePeer.toString())
    },
    // An unreachable relay must not stop the node: it shows as failed instead.
    transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
