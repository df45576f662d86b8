/** The two APIs the halves expose to each other over the link. */
import type { ConnectionView, NodeState, PeerState, RelayView } from '../api/protocol.ts'

/** What the worker gives the offscreen document to run a node. */
export interface NodeConfig {
  /** The identity, as a libp2p protobuf-encoded Ed25519 private key. */
  privateKey: Uint8Array
  relays: string[]
  iceServers: RTCIceServer[]
  /** Peers whose streams are accepted; everyone else is refused. */
  allowedPeers: string[]
}

export interface PeerConnectionInfo {
  state: PeerState
  connection: ConnectionView | null
  lastError?: string
}

/** The node as the offscreen document sees it. */
export interface NodeInfo {
  peerId: string | null
  state: NodeState
  error?: string
  addresses: string[]
  relays: RelayView[]
  peers: Record<string, PeerConnectionInfo>
}

/** Exposed by the offscreen document: the mechanics of the network. */
export type OffscreenApi = {
  /** Starts the node, or restarts it when the config changed; answers with its state. */
  start: (config: NodeConfig) => Promise<NodeInfo>
  info: () => Promise<NodeInfo>
  setAllowedPeers: (peerIds: string[]) => Promise<void>
  /** Writes one message frame to the peer, dialing it first if needed. */
  sendMessage: (peerId: string, seq: number, body: Uint8Array) => Promise<void>
  /** Sends CLOSE and hangs up on the peer. */
  closePeer: (peerId: string) => Promise<void>
}

/** Exposed by the worker: policy and durable state. */
export type WorkerApi = {
  /** Stores an inbound message durably; the offscreen document acks only after this resolves. */
  deliver: (peerId: string, seq: number, body: Uint8Array) => Promise<void>
  /** The peer acknowledged every message up to and including `seq`. */
  acked: (peerId: string, seq: number) => Promise<void>
  nodeChanged: (info: NodeInfo) => Promise<void>
}
