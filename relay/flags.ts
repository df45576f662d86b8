/**
 * The relay's command line: parsed and checked in one place, so that a bad
 * flag stops it with one clear line before anything listens.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_ICE_OFFERS_PER_MINUTE } from './ice/index.ts'
import type { MailLimits } from './mailbox/index.ts'

export interface RelayConfig {
  host: string
  /** WebSocket port; 'off': no WebSocket listener. */
  port: number | 'off'
  /** UDP port of the WebRTC-direct listener (reachable with no domain or certificate); none: off. */
  webrtcPort?: number
  /** Where the WebRTC-direct certificate is kept, so its hash in the address survives restarts; none: a new one each run. */
  certificateFile?: string
  /** Where the relay's key is kept; none: a new identity each run. */
  keyFile?: string
  /** The relay's own files (its key unless `keyFile` says otherwise, and its mail); none: no mailbox. */
  dataDir?: string
  /** The mailbox's limits; only with a data directory. */
  mailbox?: MailLimits & { depositsPerSecond: number }
  maxReservations: number
  /** Connections the relay holds at once, whoever they are from. */
  maxConnections: number
  /** Connections one IP address may hold at once, open or in their handshake. */
  maxConnectionsPerIp: number
  /** New connections one IP address may open a second. */
  newConnectionsPerIp: number
  /** Addresses of the operator's own TLS proxy: many users arrive from each, so the per-address share does not apply. */
  proxyIps: string[]
  /** A private relay: the file listing the only peers it serves (one peer id a line); none: anyone. */
  allowPeersFile?: string
  /** UDP port of the STUN responder; 0: none. */
  stunPort: number
  /** STUN answers one address gets per second. */
  stunPerSecond: number
  /** Where `/metrics` and `/healthz` are served; none: no metrics port. */
  metrics?: { host: string, port: number }
  /** TURN servers whose shared secret the relay knows, to hand out credentials for. */
  turn?: { urls: string[], secret: string }
  /** How long handed-out TURN credentials (and so the ICE offer) stay valid. */
  turnTtlSeconds: number
  /** A browser gets TURN credentials only after holding its reservation this long. */
  turnAfterSeconds: number
  /** New TURN credentials one browser may get in any hour. */
  turnPerHour: number
  /** ICE offers one peer may ask for in a minute. */
  iceOffersPerMinute: number
  /** How long a reservation lasts unless the browser refreshes it. */
  reservationTtlSeconds: number
  /** Per relayed connection: bytes in both directions together, then the relay closes it. */
  maxRelayBytes: bigint
  /** Per relayed connection: seconds, then the relay closes it. */
  maxRelaySeconds: number
}

/** A flag the relay cannot run with; the message is one line. */
export class RelayFlagError extends Error {
  override readonly name = 'RelayFlagError'
}

// js-libp2p's own defaults are 128 KiB and 2 minutes; ours leave room to set up WebRTC, and to fall back to the relay.
export const DEFAULT_MAX_RELAY_BYTES = 1n << 24n
export const DEFAULT_MAX_RELAY_SECONDS = 600
export const DEFAULT_TURN_TTL_SECONDS = 3600
// A browser asks for an offer as soon as it reserves, again before it expires, and after a reconnection.
export const DEFAULT_TURN_AFTER_SECONDS = 5
export const DEFAULT_TURN_PER_HOUR = 6
// js-libp2p's own default; browsers refresh theirs five minutes before it ends.
export const DEFAULT_RESERVATION_TTL_SECONDS = 7200
const MIN_RESERVATION_TTL_SECONDS = 60
// A mailbox holds about a month of a busy conversation, as Signal's and Briar's servers keep mail for 30 days.
export const DEFAULT_MAILBOX_BYTES = 64 * 1024 * 1024
export const DEFAULT_MAILBOX_ENVELOPES = 10_000
// A 1 MiB message (Peerlink's default size limit) and its seal fit in one envelope.
export const DEFAULT_MAILBOX_ENVELOPE_BYTES = 2 * 1024 * 1024
export const DEFAULT_MAILBOX_TTL_DAYS = 30
export const DEFAULT_MAILBOX_DEPOSITS_PER_SECOND = 20
export const DEFAULT_MAILBOX_TOTAL_BYTES = 1024 * 1024 * 1024
export const DEFAULT_MAX_RESERVATIONS = 1024
// A reserved browser holds one connection; the rest is room for peers that only fetch or deposit mail.
export const CONNECTION_HEADROOM = 256
// Generous for a household or an office behind one NAT, small against one host opening hundreds.
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 32
export const DEFAULT_STUN_PER_SECOND = 20
// libp2p's own default per host; a browser opens one connection to a relay, and again after losing it.
export const DEFAULT_NEW_CONNECTIONS_PER_IP = 5
/** An envelope's bytes at most, whatever the flag: a fetch page must hold one. */
const MAX_MAILBOX_ENVELOPE_BYTES = 4 * 1024 * 1024
const DAY_MS = 86_400_000
// Node's timers fire at once past 2^31-1 ms, and the relay keeps the duration limit as a timer.
const MAX_RELAY_SECONDS = Math.floor((2 ** 31 - 1) / 1000)
const MAX_TURN_TTL_SECONDS = 86_400

export const USAGE = `usage: npm run relay -- [options]   (the bundle: node peerlink-relay.mjs [options])
  --host 127.0.0.1              address to listen on (IPv4 or IPv6; also the host of the stun: URL)
  --port 9090                   WebSocket port (0: any free port; off: none)
  --webrtc-port N               UDP port of a WebRTC-direct listener: browsers reach it on a bare IP
                                address, no domain or TLS certificate (0: any free port; default: off)
  --key-file .relay-key         where the relay's key is kept ("": a new identity each run;
                                with --data-dir: DIR/relay-key)
  --data-dir DIR                the relay's own files: its key, its WebRTC certificate and the mail
                                it keeps for its users (without it the relay keeps no mail)
  --max-reservations ${String(DEFAULT_MAX_RESERVATIONS).padEnd(11)}browsers that may hold a reservation at once
  --max-connections N           connections held at once (default: --max-reservations + ${CONNECTION_HEADROOM})
  --max-connections-per-ip ${String(DEFAULT_MAX_CONNECTIONS_PER_IP).padEnd(5)}connections one IP address may hold at once (open or in their handshake)
  --new-connections-per-ip ${String(DEFAULT_NEW_CONNECTIONS_PER_IP).padEnd(5)}new connections one IP address may open a second
  --allow-peers FILE            a private relay: serve only the peer ids in FILE (one a line, # comments)
  --proxy-ip ADDR               your TLS proxy's addresses: exempt from the two limits above
                                (default: 127.0.0.1, ::1 and --host: a proxy on this machine)
                                (repeat or separate with commas; "" for none)
  --stun-port 0                 UDP port of the relay's STUN responder (0: off)
  --stun-per-second ${String(DEFAULT_STUN_PER_SECOND).padEnd(12)}STUN answers one IP address gets per second (the rest go unanswered)
  --metrics-port 0              TCP port serving /metrics (Prometheus) and /healthz (0: off)
  --metrics-host 127.0.0.1      address of the metrics port (keep it private: firewall it if not loopback)
  --turn-url URL                a TURN server to offer: turn:host:port[?transport=udp|tcp] or turns:...
                                (repeat the flag or separate with commas)
  --turn-secret SECRET          the TURN server's static-auth-secret (coturn use-auth-secret)
  --turn-secret-file FILE       the same, read from FILE (kept out of the process list)
  --turn-ttl ${String(DEFAULT_TURN_TTL_SECONDS).padEnd(19)}seconds TURN credentials stay valid
  --turn-after ${String(DEFAULT_TURN_AFTER_SECONDS).padEnd(17)}seconds a browser holds its reservation before it gets TURN credentials
  --turn-per-hour ${String(DEFAULT_TURN_PER_HOUR).padEnd(14)}new TURN credentials one browser gets in any hour (then its last one again)
  --ice-offers-per-minute ${String(DEFAULT_ICE_OFFERS_PER_MINUTE).padEnd(6)}ICE offers one peer may ask for in a minute (the rest are reset unanswered)
  --reservation-ttl ${String(DEFAULT_RESERVATION_TTL_SECONDS).padEnd(12)}seconds a reservation lasts unless refreshed (js-libp2p's default: 7200)
  --max-relay-bytes ${String(DEFAULT_MAX_RELAY_BYTES).padEnd(12)}bytes one relayed connection may carry (js-libp2p's default: 131072)
  --max-relay-seconds ${String(DEFAULT_MAX_RELAY_SECONDS).padEnd(10)}seconds one relayed connection may last (js-libp2p's default: 120)
mailbox (with --data-dir):
  --mailbox-bytes ${String(DEFAULT_MAILBOX_BYTES).padEnd(14)}bytes of mail one user's mailbox may hold
  --mailbox-envelopes ${String(DEFAULT_MAILBOX_ENVELOPES).padEnd(10)}envelopes one user's mailbox may hold
  --mailbox-envelope-bytes ${String(DEFAULT_MAILBOX_ENVELOPE_BYTES).padEnd(5)} bytes of one envelope at most (up to ${MAX_MAILBOX_ENVELOPE_BYTES})
  --mailbox-ttl-days ${String(DEFAULT_MAILBOX_TTL_DAYS).padEnd(11)}days mail is kept, and a mailbox lives after its owner was last seen
  --mailbox-deposits-per-second ${String(DEFAULT_MAILBOX_DEPOSITS_PER_SECOND)} deposits one peer may make per second
  --mailbox-total-bytes ${String(DEFAULT_MAILBOX_TOTAL_BYTES).padEnd(8)} bytes of mail the whole relay may hold`

/** Reads the relay's flags; 'help' when --help was asked for. Throws RelayFlagError on anything wrong. */
export function parseRelayFlags (argv: string[], env: NodeJS.ProcessEnv = {}): RelayConfig | 'help' {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: env.PEERLINK_RELAY_PORT ?? '9090' },
        'webrtc-port': { type: 'string' },
        'key-file': { type: 'string' },
        'data-dir': { type: 'string' },
        'mailbox-bytes': { type: 'string', default: String(DEFAULT_MAILBOX_BYTES) },
        'mailbox-envelopes': { type: 'string', default: String(DEFAULT_MAILBOX_ENVELOPES) },
        'mailbox-envelope-bytes': { type: 'string', default: String(DEFAULT_MAILBOX_ENVELOPE_BYTES) },
        'mailbox-ttl-days': { type: 'string', default: String(DEFAULT_MAILBOX_TTL_DAYS) },
        'mailbox-deposits-per-second': { type: 'string', default: String(DEFAULT_MAILBOX_DEPOSITS_PER_SECOND) },
        'mailbox-total-bytes': { type: 'string', default: String(DEFAULT_MAILBOX_TOTAL_BYTES) },
        'max-reservations': { type: 'string', default: String(DEFAULT_MAX_RESERVATIONS) },
        'max-connections': { type: 'string' },
        'max-connections-per-ip': { type: 'string', default: String(DEFAULT_MAX_CONNECTIONS_PER_IP) },
        'new-connections-per-ip': { type: 'string', default: String(DEFAULT_NEW_CONNECTIONS_PER_IP) },
        'proxy-ip': { type: 'string', multiple: true },
        'allow-peers': { type: 'string' },
        'stun-port': { type: 'string', default: '0' },
        'stun-per-second': { type: 'string', default: String(DEFAULT_STUN_PER_SECOND) },
        'metrics-port': { type: 'string', default: '0' },
        'metrics-host': { type: 'string', default: '127.0.0.1' },
        'turn-url': { type: 'string', multiple: true, default: [] },
        'turn-secret': { type: 'string' },
        'turn-secret-file': { type: 'string' },
        'turn-ttl': { type: 'string', default: String(DEFAULT_TURN_TTL_SECONDS) },
        'turn-after': { type: 'string', default: String(DEFAULT_TURN_AFTER_SECONDS) },
        'turn-per-hour': { type: 'string', default: String(DEFAULT_TURN_PER_HOUR) },
        'ice-offers-per-minute': { type: 'string', default: String(DEFAULT_ICE_OFFERS_PER_MINUTE) },
        'reservation-ttl': { type: 'string', default: String(DEFAULT_RESERVATION_TTL_SECONDS) },
        'max-relay-bytes': { type: 'string', default: String(DEFAULT_MAX_RELAY_BYTES) },
        'max-relay-seconds': { type: 'string', default: String(DEFAULT_MAX_RELAY_SECONDS) },
        help: { type: 'boolean', default: false }
      }
    }))
  } catch (err) {
    throw new RelayFlagError((err as Error).message.split('\n')[0] ?? 'bad flags')
  }
  if (values.help) return 'help'

  const host = values.host
  if (isIP(host) === 0) throw new RelayFlagError(`--host must be an IPv4 or IPv6 address, got "${host}"`)
  const port = values.port === 'off' ? 'off' : wholeNumber('--port', values.port, 0, 65535)
  const webrtcPort = values['webrtc-port'] == null ? undefined : wholeNumber('--webrtc-port', values['webrtc-port'], 0, 65535)
  if (port === 'off' && webrtcPort == null) throw new RelayFlagError('--port off needs --webrtc-port: the relay must listen on something')
  if (webrtcPort != null && isWildcard(host)) {
    throw new RelayFlagError(`--webrtc-port needs a --host that browsers can reach (it goes into the address they enter), not ${host}`)
  }
  const maxReservations = wholeNumber('--max-reservations', values['max-reservations'], 1, Number.MAX_SAFE_INTEGER)
  const maxConnections = wholeNumber('--max-connections', values['max-connections'] ?? String(maxReservations + CONNECTION_HEADROOM), 1, Number.MAX_SAFE_INTEGER)
  if (maxConnections < maxReservations) throw new RelayFlagError(`--max-connections (${maxConnections}) must be at least --max-reservations (${maxReservations}): each reservation holds a connection`)
  const maxConnectionsPerIp = wholeNumber('--max-connections-per-ip', values['max-connections-per-ip'], 1, Number.MAX_SAFE_INTEGER)
  const newConnectionsPerIp = wholeNumber('--new-connections-per-ip', values['new-connections-per-ip'], 1, 1_000_000)
  // A proxy on the relay's own machine connects from loopback, or from --host when it dials that address.
  const proxyIps = [...new Set((values['proxy-ip'] ?? ['127.0.0.1', '::1', ...(isWildcard(host) ? [] : [host])])
    .flatMap(a => a.split(',')).map(a => a.trim()).filter(a => a !== ''))]
  for (const address of proxyIps) if (isIP(address) === 0) throw new RelayFlagError(`--proxy-ip must be an IPv4 or IPv6 address, got "${address}"`)
  const stunPort = wholeNumber('--stun-port', values['stun-port'], 0, 65535)
  const stunPerSecond = wholeNumber('--stun-per-second', values['stun-per-second'], 1, 1_000_000)
  const metricsPort = wholeNumber('--metrics-port', values['metrics-port'], 0, 65535)
  const metricsHost = values['metrics-host']
  if (isIP(metricsHost) === 0) throw new RelayFlagError(`--metrics-host must be an IPv4 or IPv6 address, got "${metricsHost}"`)
  if (stunPort !== 0 && isWildcard(host)) {
    throw new RelayFlagError(`--stun-port needs a --host that browsers can reach (it goes into the stun: URL), not ${host}`)
  }
  const turnTtlSeconds = wholeNumber('--turn-ttl', values['turn-ttl'], 1, MAX_TURN_TTL_SECONDS)
  const turnAfterSeconds = wholeNumber('--turn-after', values['turn-after'], 0, 3600)
  const turnPerHour = wholeNumber('--turn-per-hour', values['turn-per-hour'], 1, 3600)
  const iceOffersPerMinute = wholeNumber('--ice-offers-per-minute', values['ice-offers-per-minute'], 1, 1_000_000)
  const reservationTtlSeconds = wholeNumber('--reservation-ttl', values['reservation-ttl'], MIN_RESERVATION_TTL_SECONDS, MAX_RELAY_SECONDS)
  const maxRelaySeconds = wholeNumber('--max-relay-seconds', values['max-relay-seconds'], 1, MAX_RELAY_SECONDS)
  const bytesText = values['max-relay-bytes']
  if (!/^\d+$/.test(bytesText) || BigInt(bytesText) < 1n) throw new RelayFlagError(`--max-relay-bytes must be a positive whole number of bytes, got "${bytesText}"`)

  const turnUrls = values['turn-url'].flatMap(u => u.split(',')).map(u => u.trim()).filter(u => u !== '')
  for (const url of turnUrls) checkTurnUrl(url)
  if (values['turn-secret'] != null && values['turn-secret-file'] != null) throw new RelayFlagError('give --turn-secret or --turn-secret-file, not both')
  const secret = values['turn-secret-file'] == null ? values['turn-secret'] : readSecret(values['turn-secret-file'])
  if (turnUrls.length > 0 && (secret == null || secret === '')) throw new RelayFlagError('--turn-url needs --turn-secret (the TURN server\'s static-auth-secret)')
  if (turnUrls.length === 0 && secret != null) throw new RelayFlagError('--turn-secret needs at least one --turn-url')

  const dataDir = values['data-dir'] === '' ? undefined : values['data-dir']
  const keyFile = values['key-file'] ?? (dataDir == null ? '.relay-key' : join(dataDir, 'relay-key'))
  const mailbox = {
    maxBytesPerRecipient: wholeNumber('--mailbox-bytes', values['mailbox-bytes'], 1, Number.MAX_SAFE_INTEGER),
    maxEnvelopesPerRecipient: wholeNumber('--mailbox-envelopes', values['mailbox-envelopes'], 1, Number.MAX_SAFE_INTEGER),
    maxEnvelopeBytes: wholeNumber('--mailbox-envelope-bytes', values['mailbox-envelope-bytes'], 1024, MAX_MAILBOX_ENVELOPE_BYTES),
    ttlMs: wholeNumber('--mailbox-ttl-days', values['mailbox-ttl-days'], 1, 3650) * DAY_MS,
    depositsPerSecond: wholeNumber('--mailbox-deposits-per-second', values['mailbox-deposits-per-second'], 1, 1_000_000),
    maxTotalBytes: wholeNumber('--mailbox-total-bytes', values['mailbox-total-bytes'], 1, Number.MAX_SAFE_INTEGER)
  }
  if (mailbox.maxEnvelopeBytes > mailbox.maxBytesPerRecipient) throw new RelayFlagError(`--mailbox-envelope-bytes (${mailbox.maxEnvelopeBytes}) must not exceed --mailbox-bytes (${mailbox.maxBytesPerRecipient})`)

  const certificateFile = dataDir != null ? join(dataDir, 'webrtc-certificate.pem') : keyFile === '' ? undefined : `${keyFile}.webrtc.pem`
  return {
    host,
    port,
    webrtcPort,
    certificateFile: webrtcPort == null ? undefined : certificateFile,
    keyFile: keyFile === '' ? undefined : keyFile,
    dataDir,
    mailbox: dataDir == null ? undefined : mailbox,
    maxReservations,
    maxConnections,
    maxConnectionsPerIp,
    newConnectionsPerIp,
    proxyIps,
    allowPeersFile: values['allow-peers'] === '' ? undefined : values['allow-peers'],
    stunPort,
    stunPerSecond,
    metrics: metricsPort === 0 ? undefined : { host: metricsHost, port: metricsPort },
    turn: turnUrls.length > 0 && secret != null ? { urls: turnUrls, secret } : undefined,
    turnTtlSeconds,
    turnAfterSeconds,
    turnPerHour,
    iceOffersPerMinute,
    reservationTtlSeconds,
    maxRelayBytes: BigInt(bytesText),
    maxRelaySeconds
  }
}

function readSecret (file: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    throw new RelayFlagError(`--turn-secret-file: cannot read ${file}: ${(err as Error).message}`)
  }
}

function wholeNumber (flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RelayFlagError(`${flag} must be a whole number ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got "${text}"`)
  }
  return value
}

function isWildcard (host: string): boolean {
  return host === '0.0.0.0' || /^[0:]+$/.test(host)
}

// RFC 7065: turn:host[:port][?transport=udp|tcp], turns: likewise; IPv6 hosts in brackets.
const TURN_URL = /^turns?:(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$/

function checkTurnUrl (url: string): void {
  const match = TURN_URL.exec(url)
  const port = match?.[3] == null ? 3478 : Number(match[3])
  if (match == null || (match[1] != null && isIP(match[1]) !== 6) || port < 1 || port > 65535) {
    throw new RelayFlagError(`--turn-url must look like turn:host:3478?transport=udp or turns:host:5349, got "${url}"`)
  }
}
