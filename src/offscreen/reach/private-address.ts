/**
 * Whether an address points into a private network or at this machine:
 * what a peer must never make us dial (a WebSocket to a LAN or loopback
 * port), unless it is a relay the user configured.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** [first bytes, prefix length in bits] of each range. */
type Range = [number[], number]

/**
 * "This network", RFC 1918, shared address space (carrier-grade NAT),
 * loopback, link-local. 198.18.0.0/15 (benchmarking) is not here: it is
 * routed like the internet, and the NAT suite's "internet" segment uses it.
 */
const PRIVATE_IPV4: Range[] = [
  [[0], 8], [[10], 8], [[100, 64], 10], [[127], 8], [[169, 254], 16], [[172, 16], 12], [[192, 168], 16]
]

/** Unspecified, loopback, unique-local, link-local. IPv4-mapped addresses are judged by their IPv4 part. */
const PRIVATE_IPV6: Range[] = [
  [[...Array<number>(16).fill(0)], 128], [[...Array<number>(15).fill(0), 1], 128], [[0xfc], 7], [[0xfe, 0x80], 10]
]
const IPV4_MAPPED: Range = [[...Array<number>(10).fill(0), 0xff, 0xff], 96]

function inRange (bytes: Uint8Array, [prefix, bits]: Range): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const i = bit / 8
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

function privateIp (bytes: Uint8Array): boolean {
  if (bytes.length === 4) return PRIVATE_IPV4.some(range => inRange(bytes, range))
  if (inRange(bytes, IPV4_MAPPED)) return privateIp(bytes.subarray(12))
  return PRIVATE_IPV6.some(range => inRange(bytes, range))
}

/** Names that mean this machine, or a host found only on the local network (mDNS). */
function privateName (name: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, '')
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')
}

/**
 * Whether the host `address` is dialed at first (its first `ip4`, `ip6` or
 * DNS component: for a circuit address, the relay's) is private or
 * loopback. A DNS name is taken at its word, as it cannot be resolved here.
 */
export function isPrivateAddress (address: Multiaddr | string): boolean {
  let host
  try {
    host = (typeof address === 'string' ? multiaddr(address) : address).getComponents()
      .find(c => ['ip4', 'ip6', 'ip6zone', 'dns', 'dns4', 'dns6', 'dnsaddr'].includes(c.name))
  } catch {
    return false
  }
  if (host?.value == null) return false
  if (host.name === 'ip6zone') return true
  if (host.name === 'ip4' || host.name === 'ip6') {
    // The component's bytes after its one-byte code (4 or 41): the address, as multiaddr parsed it.
    return privateIp(multiaddr(`/${host.name}/${host.value}`).bytes.subarray(1))
  }
  return privateName(host.value)
}
