import type { Libp2p, MultiaddrConnection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { ConnectionsPerIp, ipOf } from './connections-per-ip.ts'

/** A raw connection as the gate sees it: an address, and the close that ends a failed handshake. */
function rawFrom (address: string): MultiaddrConnection & { fail: () => void } {
  const events = new EventTarget()
  return Object.assign(events, { remoteAddr: multiaddr(address), fail: () => { events.dispatchEvent(new Event('close')) } }) as unknown as MultiaddrConnection & { fail: () => void }
}

function share (max: number, perSecond = 1_000): { gate: ConnectionsPerIp, node: EventTarget, refused: string[] } {
  const node = new EventTarget()
  const refused: string[] = []
  const gate = new ConnectionsPerIp({ max, perSecond, exempt: ['10.0.0.2'], onRefused: (cause, ip) => refused.push(`${cause} ${ip}`) })
  gate.watch(node as unknown as Libp2p)
  return { gate, node, refused }
}

const opened = (node: EventTarget, address: string): { remoteAddr: ReturnType<typeof multiaddr> } => {
  const connection = { remoteAddr: multiaddr(address) }
  node.dispatchEvent(new CustomEvent('connection:open', { detail: connection }))
  return connection
}

describe('ConnectionsPerIp', () => {
  it('refuses an address at its share until one of its connections closes; the proxy\'s address is never refused', () => {
    const { gate, node, refused } = share(2)
    for (const port of [4001, 4002]) {
      expect(gate.deny(rawFrom(`/ip4/198.51.100.7/tcp/${port}/ws`))).toBe(false)
      opened(node, `/ip4/198.51.100.7/tcp/${port}/ws`)
    }
    expect(gate.count('198.51.100.7')).toBe(2)
    expect(gate.deny(rawFrom('/ip4/198.51.100.7/tcp/4003/ws'))).toBe(true)
    expect(gate.deny(rawFrom('/ip6/2001:db8::7/tcp/4003/ws'))).toBe(false)
    for (let i = 0; i < 5; i++) {
      expect(gate.deny(rawFrom('/ip4/10.0.0.2/tcp/5000/ws'))).toBe(false)
      opened(node, '/ip4/10.0.0.2/tcp/5000/ws')
    }
    node.dispatchEvent(new CustomEvent('connection:close', { detail: { remoteAddr: multiaddr('/ip4/198.51.100.7/tcp/4001/ws') } }))
    expect(gate.deny(rawFrom('/ip4/198.51.100.7/tcp/4004/ws'))).toBe(false)
    expect(refused).toEqual(['connections-per-ip 198.51.100.7'])
  })

  it('counts handshakes that never finish against their address\'s share, and frees them when they fail', () => {
    const { gate, refused } = share(3)
    const stalled = [1, 2, 3].map(i => rawFrom(`/ip4/203.0.113.9/tcp/${6000 + i}/ws`))
    for (const raw of stalled) expect(gate.deny(raw)).toBe(false)
    expect(gate.deny(rawFrom('/ip4/203.0.113.9/tcp/6004/ws'))).toBe(true)
    stalled[0]!.fail()
    expect(gate.count('203.0.113.9')).toBe(2)
    expect(gate.deny(rawFrom('/ip4/203.0.113.9/tcp/6005/ws'))).toBe(false)
    expect(refused).toEqual(['connections-per-ip 203.0.113.9'])
  })

  it('lets an address open so many new connections a second, and its proxy any number', () => {
    const { gate, refused } = share(100, 3)
    const results = [1, 2, 3, 4, 5].map(i => gate.deny(rawFrom(`/ip4/192.0.2.1/tcp/${7000 + i}/ws`)))
    expect(results).toEqual([false, false, false, true, true])
    expect([1, 2, 3, 4, 5].map(i => gate.deny(rawFrom(`/ip4/10.0.0.2/tcp/${7000 + i}/ws`)))).toEqual([false, false, false, false, false])
    expect(refused).toEqual(['new-connections-per-ip 192.0.2.1', 'new-connections-per-ip 192.0.2.1'])
  })

  it('reads the IP of an address, and none from one without', () => {
    expect(ipOf(multiaddr('/ip6/::1/tcp/9090/ws/p2p/12D3KooWGRUVh2mb1bLVWVFVXhMNy8PSezuUrYAjBxZbvvh3dkC8'))).toBe('::1')
    expect(ipOf(multiaddr('/p2p-circuit'))).toBeUndefined()
  })
})
