import { readFile, writeFile } from 'node:fs/promises'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify, type Identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'

export interface RelayOptions {
  host: string
  port: number
  /** Where the relay's key is kept so its address stays the same across restarts; none: a new key each run. */
  keyFile?: string
  maxReservations: number
  /** How long a reservation lasts unless refreshed. */
  reservationTtlSeconds: number
  /** Bytes one relayed connection may carry (both directions together). */
  maxRelayBytes: bigint
  /** Seconds one relayed connection may last. */
  maxRelaySeconds: number
}

// A type alias, not an interface: libp2p's ServiceMap wants an index signature, which only aliases get implicitly.
export type RelayServices = {
  identify: Identify
  ping: Ping
  relay: CircuitRelayService
}

/** Loads the relay's key from `keyFile`, creating and saving one on first use. */
export async function loadOrCreateKey (keyFile?: string): Promise<PrivateKey> {
  if (keyFile != null) {
    try {
      return privateKeyFromProtobuf(await readFile(keyFile))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  const key = await generateKeyPair('Ed25519')
  if (keyFile != null) await writeFile(keyFile, privateKeyToProtobuf(key), { mode: 0o600 })
  return key
}

/** Starts a circuit-relay v2 server over WebSockets: browsers reserve slots on it and signal WebRTC through it. */
export async function startRelay (options: RelayOptions): Promise<Libp2p<RelayServices>> {
  const ip = options.host.includes(':') ? 'ip6' : 'ip4'
  return await createLibp2p({
    privateKey: await loadOrCreateKey(options.keyFile),
    addresses: { listen: [`/${ip}/${options.host}/tcp/${options.port}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: options.maxReservations,
          reservationTtl: options.reservationTtlSeconds * 1000,
          defaultDurationLimit: options.maxRelaySeconds * 1000,
          defaultDataLimit: options.maxRelayBytes
        }
      })
    }
  })
}
