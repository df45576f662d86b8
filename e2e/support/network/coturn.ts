// e2e/support/network/: the network lab (namespaces, NAT routers, coturn) and the probes and STUN/TURN clients run inside it.
/**
 * A coturn (`turnserver`) process for tests: TURN over UDP only, with TURN
 * REST API credentials (`use-auth-secret`), bound to one address, its
 * database and pid file in a temporary folder, no CLI, no TLS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CoturnOptions {
  /** Where it listens and relays from: 127.0.0.1, or an address inside a test's network namespace. */
  ip: string
  port: number
  /** The static-auth-secret the relay shares. */
  secret: string
  realm?: string
  /** Relayed ports come from this range (coturn's default range is 49152-65535). */
  relayPorts?: [min: number, max: number]
  /** Lets peers on 127.x be relayed to: only for tests that stay on loopback. */
  allowLoopbackPeers?: boolean
  /** Peer addresses it refuses to relay to (`from-to` ranges); by default the private ranges, see `PRIVATE_PEER_RANGES`. */
  deniedPeerIps?: string[]
  /** Starts the process; by default on this machine, or e.g. inside a namespace (`NetnsLayout.spawn`). */
  spawnIn?: (command: string, args: string[]) => ChildProcess
}

export interface Coturn {
  readonly url: string
  readonly pid: number
  /** What it printed so far (its log goes to stdout). */
  output: () => string
  stop: () => Promise<void>
}

/** coturn did not come up. */
export class CoturnStartError extends Error {
  override readonly name = 'CoturnStartError'
}

const START_TIMEOUT_MS = 10_000

/**
 * What a TURN server on the internet should refuse to relay to (docs/relay.md):
 * private networks. Here it matters twice: the test's internet segment has no
 * route to the homes' 10.201.x addresses that browsers list as host
 * candidates, and coturn 4.6 gives up an allocation's relay socket after one
 * send to them fails with ENETUNREACH, which kills the TURN route in use.
 */
export const PRIVATE_PEER_RANGES = ['10.0.0.0-10.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255']

/** True when `turnserver` (Debian's coturn) is installed. */
export function hasCoturn (): boolean {
  return spawnSync('turnserver', ['--version'], { stdio: 'ignore' }).status === 0
}

/** The command line for coturn as these tests run it. */
export function coturnArgs (options: CoturnOptions, dir: string): string[] {
  const [minPort, maxPort] = options.relayPorts ?? [49152, 65535]
  return [
    '-n', // no turnserver.conf: only what is here
    '--listening-ip', options.ip, '--relay-ip', options.ip, '--listening-port', String(options.port),
    '--min-port', String(minPort), '--max-port', String(maxPort),
    '--use-auth-secret', '--static-auth-secret', options.secret, '--realm', options.realm ?? 'peerlink.test',
    '--no-cli', '--no-tls', '--no-dtls', '--no-tcp', '--no-tcp-relay', '--no-software-attribute',
    '--log-file', 'stdout', '--simple-log', '--pidfile', join(dir, 'turnserver.pid'), '--db', join(dir, 'turndb'),
    ...(options.deniedPeerIps ?? PRIVATE_PEER_RANGES).flatMap(range => ['--denied-peer-ip', range]),
    ...(options.allowLoopbackPeers === true ? ['--allow-loopback-peers'] : [])
  ]
}

/** Starts coturn and waits until it has set up its listeners. */
export async function startCoturn (options: CoturnOptions): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'peerlink-coturn-'))
  const spawnIn = options.spawnIn ?? ((command, args) => spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }))
  const child = spawnIn('turnserver', coturnArgs(options, dir))
  let output = ''
  const collect = (chunk: Buffer): void => { output += chunk.toString() }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  const stop = async (): Promise<void> => {
    if (child.exitCode == null && child.signalCode == null) {
      child.kill('SIGTERM')
      // coturn takes about 2 s to wind down its threads.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new CoturnStartError(`turnserver did not start within ${START_TIMEOUT_MS} ms:\n${output}`)) }, START_TIMEOUT_MS)
      const check = (): void => {
        // Printed once the listeners and relay threads exist, before the auth threads open the database.
        if (/Total General servers/.test(output)) { clearTimeout(timer); resolve() }
      }
      child.stdout?.on('data', check)
      child.once('error', (err) => { clearTimeout(timer); reject(new CoturnStartError(`turnserver could not be run: ${err.message}`)) })
      void exited.then(() => { clearTimeout(timer); reject(new CoturnStartError(`turnserver exited at once:\n${output}`)) })
    })
  } catch (err) {
    await stop()
    throw err
  }
  return { url: `turn:${options.ip}:${options.port}?transport=udp`, pid: child.pid!, output: () => output, stop }
}
