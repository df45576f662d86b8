import '../../relay/polyfills.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Stream } from '@libp2p/interface'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { WebSocket as NodeWebSocket } from 'ws'
import { PEERLINK_PROTOCOL } from '../../src/common/constants.ts'
import { encodeFrame, type Frame } from '../../src/common/wire/frames.ts'

const randomHex = (bytes: number): string => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), b => b.toString(16).padStart(2, '0')).join('')

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

/**
 * A libp2p peer in Node that reaches a browser the way another browser
 * would (WebRTC signalled through the relay) and then says whatever a test
 * wants on the Peerlink protocol, well-formed or not.
 */
export class NodePeer {
  readonly node: Libp2p

  private constructor (node: Libp2p) {
    this.node = node
  }

  static async start (): Promise<NodePeer> {
    const node = await createLibp2p({
      transports: [webSockets(), webRTC({ rtcConfiguration: { iceServers: [] } }), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify() }
    })
    return new NodePeer(node)
  }

  get peerId (): string {
    return this.node.peerId.toString()
  }

  /** Opens a Peerlink stream to the browser; bounded attempts, as the dial between browsers can hang. */
  async openStream (relay: string, browserPeerId: string, attempts = 3): Promise<Stream> {
    let last: Error = new Error('no attempt')
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.node.dialProtocol(multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${browserPeerId}`), PEERLINK_PROTOCOL,
          { signal: AbortSignal.timeout(8_000) })
      } catch (err) {
        last = err as Error
      }
    }
    throw last
  }

  /** Writes raw bytes, waiting for drain when the stream asks for it. */
  static async write (stream: Stream, bytes: Uint8Array): Promise<void> {
    if (stream.status !== 'open') return
    if (!stream.send(bytes)) await new Promise<void>((resolve) => {
      const done = (): void => { resolve() }
      stream.addEventListener('drain', done, { once: true })
      stream.addEventListener('close', done, { once: true })
    })
  }

  static async writeFrame (stream: Stream, frame: Frame): Promise<void> {
    await NodePeer.write(stream, encodeFrame(frame))
  }

  /**
   * Opens a Peerlink stream to the browser and says HELLO as a peer starting
   * a conversation: the browser then counts this peer as heard from.
   */
  async hello (relay: string, browserPeerId: string): Promise<Stream> {
    const stream = await this.openStream(relay, browserPeerId)
    await NodePeer.writeFrame(stream, {
      type: 'hello',
      hello: { incarnation: randomHex(16), peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, maxMessageBytes: 1024, inactivityTimeoutMs: 60_000, addresses: [] }
    })
    return stream
  }

  async stop (): Promise<void> {
    await this.node.stop()
  }
}
