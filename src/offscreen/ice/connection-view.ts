import type { Connection } from '@libp2p/interface'
import type { ConnectionView, Route, Transport } from '../../common/model.ts'

/** Names the transport that carries a connection, from its remote address. */
export function transportOf (remoteAddr: string): Transport {
  const names = remoteAddr.split('/')
  if (names.includes('webrtc') || names.includes('webrtc-direct')) return 'webrtc'
  if (names.includes('p2p-circuit')) return 'circuit-relay'
  if (names.includes('webtransport')) return 'webtransport'
  if (names.includes('ws') || names.includes('wss')) return 'websockets'
  return 'other'
}

/**
 * What a user is shown about the connection to a peer. `iceRoute`: what the
 * WebRTC connection's selected ICE candidate pair says (see ice-route.ts);
 * until it is known, a WebRTC connection is not claimed to be direct.
 */
export function describeConnection (connection: Connection, iceRoute?: Exclude<Route, 'relay'>): ConnectionView {
  const remoteAddr = connection.remoteAddr.toString()
  const transport = transportOf(remoteAddr)
  const route: Route = connection.limits != null || transport === 'circuit-relay'
    ? 'relay'
    : transport === 'webrtc' ? iceRoute ?? 'turn' : 'direct'
  return { transport, route, direct: route === 'direct', remoteAddr }
}
