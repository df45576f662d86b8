import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { describeConnection, transportOf } from './connection-view.ts'

const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay'
const PEER = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'

const connection = (remoteAddr: string, limits?: object): Connection =>
  ({ remoteAddr: multiaddr(remoteAddr), limits }) as unknown as Connection

describe('transportOf', () => {
  it('tells a WebRTC connection set up through a relay from a relayed one', () => {
    expect(transportOf(`${relay}/p2p-circuit/webrtc/p2p/12D3KooWPeer`)).toBe('webrtc')
    expect(transportOf('/webrtc/p2p/12D3KooWPeer')).toBe('webrtc')
    expect(transportOf(`${relay}/p2p-circuit/p2p/12D3KooWPeer`)).toBe('circuit-relay')
  })

  it('names server transports', () => {
    expect(transportOf(relay)).toBe('websockets')
    expect(transportOf('/ip4/1.2.3.4/udp/443/quic-v1/webtransport/p2p/12D3KooWX')).toBe('webtransport')
    expect(transportOf('/ip4/1.2.3.4/tcp/1')).toBe('other')
  })
})

describe('describeConnection', () => {
  const webrtc = `/ip4/198.18.0.1/tcp/9090/ws/p2p/${PEER}/p2p-circuit/webrtc/p2p/${PEER}`

  it('takes a WebRTC connection\'s route from its ICE stats, and calls it direct only when they say so', () => {
    expect(describeConnection(connection(webrtc), 'direct')).toMatchObject({ transport: 'webrtc', route: 'direct', direct: true })
    expect(describeConnection(connection(webrtc), 'turn')).toMatchObject({ transport: 'webrtc', route: 'turn', direct: false })
    // Not read yet: not claimed direct.
    expect(describeConnection(connection(webrtc))).toMatchObject({ route: 'turn', direct: false })
  })

  it('calls a circuit through a relay a relay route, limited or not', () => {
    const circuit = `/ip4/198.18.0.1/tcp/9090/ws/p2p/${PEER}/p2p-circuit/p2p/${PEER}`
    expect(describeConnection(connection(circuit, { bytes: 1n }))).toMatchObject({ transport: 'circuit-relay', route: 'relay', direct: false })
    expect(describeConnection(connection(circuit))).toMatchObject({ route: 'relay', direct: false })
  })
})
