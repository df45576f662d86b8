/**
 * Bytes on the wire of every WebRTC connection this Node process holds:
 * the Node test peers' connections to a browser (node-datachannel, which
 * @libp2p/webrtc uses in Node). Counts what the ICE transport carries
 * (DTLS, SCTP and all), so it includes every keepalive whatever layer sends it.
 */
import { RTCPeerConnection } from 'node-datachannel/polyfill'

const connections = new Set<RTCPeerConnection>()
let installed = false

/** Starts remembering every peer connection created from now on. */
export function trackPeerConnections (): void {
  if (installed) return
  installed = true
  const proto = RTCPeerConnection.prototype as unknown as { setLocalDescription: (...args: unknown[]) => Promise<void> }
  const original = proto.setLocalDescription
  proto.setLocalDescription = async function (this: RTCPeerConnection, ...args: unknown[]) {
    connections.add(this)
    return await original.apply(this, args)
  }
}

/** Bytes sent plus received so far on the connections still open. */
export async function wireBytes (): Promise<number> {
  let total = 0
  for (const pc of connections) {
    if (pc.connectionState === 'closed' || pc.connectionState === 'failed') continue
    const stats = await pc.getStats()
    for (const entry of stats.values() as Iterable<{ type: string, bytesSent?: number, bytesReceived?: number }>) {
      if (entry.type === 'transport') total += (entry.bytesSent ?? 0) + (entry.bytesReceived ?? 0)
    }
  }
  return total
}
