import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRelayFlags, RelayFlagError, type RelayConfig } from './flags.ts'

function parse (...argv: string[]): RelayConfig {
  const config = parseRelayFlags(argv)
  if (config === 'help') throw new Error('unexpected help')
  return config
}

function refusal (...argv: string[]): string {
  try {
    parseRelayFlags(argv)
  } catch (err) {
    expect(err).toBeInstanceOf(RelayFlagError)
    expect((err as Error).message).not.toContain('\n')
    return (err as Error).message
  }
  throw new Error(`accepted: ${argv.join(' ')}`)
}

describe('relay flags', () => {
  it('defaults: loopback, port 9090, no STUN, no TURN, 16 MiB and 10 minutes per relayed connection', () => {
    expect(parse()).toEqual({
      host: '127.0.0.1',
      port: 9090,
      webrtcPort: undefined,
      certificateFile: undefined,
      keyFile: '.relay-key',
      dataDir: undefined,
      mailbox: undefined,
      maxReservations: 1024,
      maxConnections: 1280,
      maxConnectionsPerIp: 32,
      newConnectionsPerIp: 5,
      proxyIps: ['127.0.0.1', '::1'],
      allowPeersFile: undefined,
      stunPort: 0,
      stunPerSecond: 20,
      metrics: undefined,
      turn: undefined,
      turnTtlSeconds: 3600,
      turnAfterSeconds: 5,
      turnPerHour: 6,
      iceOffersPerMinute: 10,
      reservationTtlSeconds: 7200,
      maxRelayBytes: 16_777_216n,
      maxRelaySeconds: 600
    })
    expect(parseRelayFlags([], { PEERLINK_RELAY_PORT: '9191' })).toMatchObject({ port: 9191 })
  })

  it('reads STUN, TURN (repeated and comma-separated) and the relay limits', () => {
    const config = parse('--host', '198.18.0.1', '--stun-port', '3478', '--key-file', '',
      '--turn-url', 'turn:198.18.0.1:3479?transport=udp,turn:198.18.0.1:3479?transport=tcp', '--turn-url', 'turns:[2001:db8::1]:5349',
      '--turn-secret', 's3cret', '--turn-ttl', '120', '--turn-after', '0', '--turn-per-hour', '2', '--reservation-ttl', '600',
      '--max-relay-bytes', '131072', '--max-relay-seconds', '120')
    expect(config).toMatchObject({
      host: '198.18.0.1',
      keyFile: undefined,
      stunPort: 3478,
      turn: { urls: ['turn:198.18.0.1:3479?transport=udp', 'turn:198.18.0.1:3479?transport=tcp', 'turns:[2001:db8::1]:5349'], secret: 's3cret' },
      turnTtlSeconds: 120,
      turnAfterSeconds: 0,
      turnPerHour: 2,
      reservationTtlSeconds: 600,
      maxRelayBytes: 131_072n,
      maxRelaySeconds: 120
    })
  })

  it('reads the connection limits and the metrics port; connections follow reservations unless given', () => {
    expect(parse('--max-reservations', '100')).toMatchObject({ maxReservations: 100, maxConnections: 356 })
    expect(parse('--max-reservations', '100', '--max-connections', '100', '--max-connections-per-ip', '4', '--new-connections-per-ip', '2', '--stun-per-second', '5',
      '--ice-offers-per-minute', '3', '--metrics-port', '9464', '--metrics-host', '::1', '--proxy-ip', '10.0.0.2,10.0.0.3', '--proxy-ip', 'fd00::2')).toMatchObject({
      maxConnections: 100, maxConnectionsPerIp: 4, newConnectionsPerIp: 2, stunPerSecond: 5, iceOffersPerMinute: 3, metrics: { host: '::1', port: 9464 }, proxyIps: ['10.0.0.2', '10.0.0.3', 'fd00::2']
    })
    expect(parse('--proxy-ip', '')).toMatchObject({ proxyIps: [] })
    // A proxy on the relay's machine that dials its public address connects from that address.
    expect(parse('--host', '203.0.113.10')).toMatchObject({ proxyIps: ['127.0.0.1', '::1', '203.0.113.10'] })
    expect(parse('--host', '0.0.0.0')).toMatchObject({ proxyIps: ['127.0.0.1', '::1'] })
    expect(parse('--allow-peers', '/etc/peerlink-relay/allowed')).toMatchObject({ allowPeersFile: '/etc/peerlink-relay/allowed' })
    expect(refusal('--proxy-ip', 'proxy.example')).toBe('--proxy-ip must be an IPv4 or IPv6 address, got "proxy.example"')
    expect(refusal('--max-reservations', '100', '--max-connections', '99')).toBe('--max-connections (99) must be at least --max-reservations (100): each reservation holds a connection')
    expect(refusal('--max-connections-per-ip', '0')).toMatch(/^--max-connections-per-ip must be/)
    expect(refusal('--stun-per-second', 'x')).toMatch(/^--stun-per-second must be/)
    expect(refusal('--metrics-port', '65536')).toMatch(/^--metrics-port must be/)
    expect(refusal('--metrics-port', '9464', '--metrics-host', 'metrics.example')).toMatch(/^--metrics-host must be an IPv4 or IPv6 address/)
  })

  it('reads the WebRTC-direct port, and keeps its certificate beside the key or in the data directory', () => {
    expect(parse('--webrtc-port', '9091')).toMatchObject({ port: 9090, webrtcPort: 9091, certificateFile: '.relay-key.webrtc.pem' })
    expect(parse('--port', 'off', '--webrtc-port', '0', '--data-dir', '/var/lib/relay')).toMatchObject({ port: 'off', webrtcPort: 0, certificateFile: '/var/lib/relay/webrtc-certificate.pem' })
    expect(parse('--webrtc-port', '9091', '--key-file', '')).toMatchObject({ certificateFile: undefined })
    expect(refusal('--port', 'off')).toBe('--port off needs --webrtc-port: the relay must listen on something')
    expect(refusal('--webrtc-port', '70000')).toMatch(/^--webrtc-port must be/)
    expect(refusal('--host', '0.0.0.0', '--webrtc-port', '9091')).toMatch(/^--webrtc-port needs a --host that browsers can reach/)
  })

  it('reads the TURN secret from a file, kept out of the process list', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'peerlink-secret-')), 'turn-secret')
    writeFileSync(file, 's3cret\n')
    expect(parse('--turn-url', 'turn:198.18.0.1:3479', '--turn-secret-file', file)).toMatchObject({ turn: { urls: ['turn:198.18.0.1:3479'], secret: 's3cret' } })
    expect(refusal('--turn-url', 'turn:198.18.0.1:3479', '--turn-secret', 'x', '--turn-secret-file', file)).toBe('give --turn-secret or --turn-secret-file, not both')
    expect(refusal('--turn-url', 'turn:198.18.0.1:3479', '--turn-secret-file', `${file}.missing`)).toMatch(/^--turn-secret-file: cannot read /)
  })

  it('answers help', () => {
    expect(parseRelayFlags(['--help'])).toBe('help')
  })

  it('refuses bad values with one line naming the flag', () => {
    expect(refusal('--port', '70000')).toMatch(/^--port must be/)
    expect(refusal('--port', '12abc')).toMatch(/^--port must be/)
    expect(refusal('--host', 'localhost')).toMatch(/^--host must be an IPv4 or IPv6 address/)
    expect(refusal('--stun-port', '-1')).toMatch(/--stun-port/)
    expect(refusal('--host', '0.0.0.0', '--stun-port', '3478')).toMatch(/^--stun-port needs a --host/)
    expect(refusal('--turn-url', 'turn:198.18.0.1:3478')).toMatch(/^--turn-url needs --turn-secret/)
    expect(refusal('--turn-secret', 'x')).toMatch(/^--turn-secret needs at least one --turn-url/)
    expect(refusal('--turn-url', 'http://example.test', '--turn-secret', 'x')).toMatch(/^--turn-url must look like/)
    expect(refusal('--turn-url', 'turn:h:99999', '--turn-secret', 'x')).toMatch(/^--turn-url must look like/)
    expect(refusal('--turn-ttl', '0')).toMatch(/^--turn-ttl must be/)
    expect(refusal('--turn-after', '3601')).toMatch(/^--turn-after must be/)
    expect(refusal('--turn-per-hour', '0')).toMatch(/^--turn-per-hour must be/)
    expect(refusal('--reservation-ttl', '10')).toMatch(/^--reservation-ttl must be a whole number 60\.\./)
    expect(refusal('--max-relay-bytes', '0')).toMatch(/^--max-relay-bytes must be/)
    expect(refusal('--max-relay-bytes', '1e6')).toMatch(/^--max-relay-bytes must be/)
    expect(refusal('--max-relay-seconds', '9999999')).toMatch(/^--max-relay-seconds must be a whole number 1\.\.2147483/)
    expect(refusal('--no-such-flag')).toMatch(/no-such-flag/)
  })
})
