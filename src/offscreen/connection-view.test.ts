import { describe, expect, it } from 'vitest'
import { transportOf } from './connection-view.ts'

const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay'

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
