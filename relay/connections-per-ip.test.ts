import type { Libp2p, MultiaddrConnection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { ConnectionsPerIp, ipOf } from './connections-per-ip.ts'

const from = (address: string): MultiaddrConnection => ({ remoteAddr: multiaddr(address) }) as unknown as MultiaddrConnection

describe('ConnectionsPerIp', () => {
  it('refuses an address at its share until one of its connections closes; the proxy\'s address is never refused', () => {
    const events = new EventTarget()
    const refused: string[] = []
    const perIp = new ConnectionsPerIp(2, ['10.0.0.2'], ip => refused.push(ip))
    perIp.watch(events as unknown as Libp2p)
    const open = (address: string): { remoteAddr: ReturnType<typeof multiaddr> } => {
      const connection = { remoteAddr: multiaddr(address) }
      events.dispatchEvent(new CustomEvent('connection:open', { detail: connection }))
      return connection
    }
    const first = open('/ip4/198.51.100.7/tcp/4001/ws')
    open('/ip4/198.51.100.7/tcp/4002/ws')
    expect(perIp.deny(from('/ip4/198.51.100.7/tcp/4003/ws'))).toBe(true)
    expect(perIp.deny(from('/ip6/2001:db8::7/tcp/4003/ws'))).toBe(false)
    for (let i = 0; i < 5; i++) open('/ip4/10.0.0.2/tcp/5000/ws')
    expect(perIp.deny(from('/ip4/10.0.0.2/tcp/5001/ws'))).toBe(false)
    events.dispatchEvent(new CustomEvent('connection:close', { detail: first }))
    expect(perIp.count('198.51.100.7')).toBe(1)
    expect(perIp.deny(from('/ip4/198.51.100.7/tcp/4004/ws'))).toBe(false)
    expect(refused).toEqual(['198.51.100.7'])
  })

  it('reads the IP of an address, and none from one without', () => {
    expect(ipOf(multiaddr('/ip6/::1/tcp/9090/ws/p2p/12D3KooWGRUVh2mb1bLVWVFVXhMNy8PSezuUrYAjBxZbvvh3dkC8'))).toBe('::1')
    expect(ipOf(multiaddr('/p2p-circuit'))).toBeUndefined()
  })
})
