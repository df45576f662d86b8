import { describe, expect, it } from 'vitest'
import { isPrivateAddress } from './private-address.ts'

const RELAY = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const PEER = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'
const over = (host: string): string => `${host}/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`

describe('isPrivateAddress', () => {
  it('finds loopback, private, shared and link-local hosts, IPv4 and IPv6', () => {
    for (const host of [
      '/ip4/127.0.0.1', '/ip4/127.255.0.9', '/ip4/10.201.1.2', '/ip4/172.16.0.1', '/ip4/172.31.255.255', '/ip4/192.168.1.1',
      '/ip4/169.254.3.4', '/ip4/100.64.0.1', '/ip4/100.127.255.255', '/ip4/0.0.0.0',
      '/ip6/::1', '/ip6/::', '/ip6/fd00::1', '/ip6/fc12::1', '/ip6/fe80::1', '/ip6/febf::1', '/ip6/::ffff:192.168.0.1', '/ip6/::ffff:127.0.0.1',
      '/ip6zone/eth0/ip6/fe80::1', '/dns4/localhost', '/dns/LOCALHOST', '/dns6/relay.localhost', '/dns4/printer.local'
    ]) expect(isPrivateAddress(over(host)), host).toBe(true)
  })

  it('leaves public hosts, and the benchmarking range the NAT suite uses as its internet, dialable', () => {
    for (const host of [
      '/ip4/198.18.0.1', '/ip4/198.19.255.1', '/ip4/93.184.216.34', '/ip4/172.32.0.1', '/ip4/172.15.255.255', '/ip4/100.128.0.1', '/ip4/11.0.0.1',
      '/ip6/2001:db8::1', '/ip6/2606:4700::1111', '/ip6/::ffff:198.18.0.1', '/ip6/fec0::1', '/dns4/relay.example.org', '/dns/localhost.example.org'
    ]) expect(isPrivateAddress(over(host)), host).toBe(false)
  })

  it('judges a circuit address by the relay it dials first', () => {
    expect(isPrivateAddress(`/ip4/198.18.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)).toBe(false)
    expect(isPrivateAddress(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe(true)
    expect(isPrivateAddress(`/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)).toBe(false)
  })
})
