import type { Connection } from '@libp2p/interface'
import type { ConnectionView, Transport } from '../common/model.ts'

/** Names the transport that carries a connection, from its remote address. */
export function transportOf (remoteAddr: string): Transport {
  const names = remoteAddr.split('/')
  if (names.includes('webrtc') || names.includes('webrtc-direct')) return 'webrtc'
  if (names.includes('p2p-circuit')) return 'circuit-relay'
  if (names.includes('webtransport')) return 'webtransport'
  if (names.includes('ws') || names.includes('wss')) return 'websockets'
  return 'other'
}

/** What a user is shown about the connection to a peer. */
export function describeConnection (connection: Connection): ConnectionView {
  const remoteAddr = connection.remoteAddr.toString()
  const direct = connection.direct && connection.limits == null
  return {
    transport: transportOf(remoteAddr),
    route: direct ? 'direct' : 'relay',
    direct,
    remoteAddr
  }
}
