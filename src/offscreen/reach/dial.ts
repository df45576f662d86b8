import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { REUSED_CONNECTION_STREAM_TIMEOUT_MS } from '../../common/constants.ts'
import { isPermanentError, NoRelayError } from '../../common/errors/index.ts'

export interface DialOptions {
  protocol: string
  /** Relay addresses (`.../p2p/<relay>`) to reach the peer through, tried in turn. */
  relays: string[]
  attemptTimeoutMs: number
  attempts: number
  signal?: AbortSignal
  /** Called at the start of every attempt, so they can be counted. */
  onAttempt?: () => void
  log: (format: string, ...args: unknown[]) => void
}

/** A stream to the peer and the connection it runs on. */
export interface Opened {
  connection: Connection
  stream: Stream
}

/** How one kind of dial reaches the peer through one relay, and which connections it takes. */
interface Route {
  name: string
  address: (relay: string, peerId: string) => Multiaddr
  /** Why a connection the dial got is not the kind this route wants, or undefined when it is. */
  refuse: (connection: Connection) => string | undefined
  runOnLimitedConnection: boolean
}

const WEBRTC: Route = {
  name: 'WebRTC',
  address: (relay, peerId) => multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${peerId}`),
  refuse: connection => connection.limits == null ? undefined : 'only a limited relayed connection could be opened',
  runOnLimitedConnection: false
}

const RELAYED: Route = {
  name: 'relayed',
  address: (relay, peerId) => multiaddr(`${relay}/p2p-circuit/p2p/${peerId}`),
  // Any open connection carries the stream: a WebRTC one that came up meanwhile is only better.
  refuse: () => undefined,
  runOnLimitedConnection: true
}

/**
 * Opens a `protocol` stream on a direct WebRTC connection to `peerId`,
 * signalled through each relay in turn (a relay we hold no reservation on
 * works too: circuit relay v2 only needs the peer to hold one).
 *
 * Every attempt is bounded, and a timed-out attempt is retried: in
 * @libp2p/webrtc 6.0.33 the listener's muxer closes the `init` data channel
 * (dist/src/muxer.js) before the dialer has seen the connection as connected,
 * and the dialer then waits for that channel's `open` forever
 * (dist/src/private-to-private/initiate-connection.js). That wait honours the
 * dial's abort signal, so a short per-attempt timeout plus a retry is the
 * whole workaround; it lives here and nowhere else.
 */
export async function openWebRTCStream (node: Libp2p, peerId: string, options: DialOptions): Promise<Opened> {
  return await openVia(WEBRTC, node, peerId, options)
}

/**
 * Opens a `protocol` stream over a relayed connection to `peerId`: the one
 * already open (libp2p's `dial()` never hands back a limited connection, and
 * would open a second circuit), or a new circuit through each relay in turn.
 * The relay bounds it (bytes and seconds), then closes it: the caller dials
 * again, and the peer's HELLO says what to send again.
 */
export async function openRelayedStream (node: Libp2p, peerId: string, options: DialOptions): Promise<Opened> {
  const existing = node.getConnections(peerIdFromString(peerId)).find(c => c.status === 'open')
  if (existing != null) {
    options.onAttempt?.()
    const signal = options.signal == null ? AbortSignal.timeout(options.attemptTimeoutMs) : AbortSignal.any([AbortSignal.timeout(options.attemptTimeoutMs), options.signal])
    const streamSignal = AbortSignal.any([signal, AbortSignal.timeout(REUSED_CONNECTION_STREAM_TIMEOUT_MS)])
    try {
      return { connection: existing, stream: await existing.newStream(options.protocol, { signal: streamSignal, runOnLimitedConnection: true }) }
    } catch (err) {
      options.log('a stream to %s on its open connection %a failed: %s', peerId, existing.remoteAddr, (err as Error).message)
      if (isPermanentError(err)) throw err
      options.signal?.throwIfAborted()
      if (streamSignal.aborted) existing.abort(new Error('no stream could be opened on it'))
    }
  }
  return await openVia(RELAYED, node, peerId, options)
}

async function openVia (route: Route, node: Libp2p, peerId: string, options: DialOptions): Promise<Opened> {
  if (options.relays.length === 0) throw new NoRelayError(peerId)
  let lastError: Error = new Error('no attempt made')
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    for (const relay of options.relays) {
      options.signal?.throwIfAborted()
      options.onAttempt?.()
      const timeout = AbortSignal.timeout(options.attemptTimeoutMs)
      const signal = options.signal == null ? timeout : AbortSignal.any([timeout, options.signal])
      const startedAt = Date.now()
      let connection: Connection | undefined
      let streamSignal: AbortSignal | undefined
      try {
        connection = await node.dial(route.address(relay, peerId), { signal })
        const refusal = route.refuse(connection)
        if (refusal == null) {
          streamSignal = boundStreamOpen(connection, startedAt, signal)
          const stream = await connection.newStream(options.protocol, { signal: streamSignal, runOnLimitedConnection: route.runOnLimitedConnection })
          return { connection, stream }
        }
        lastError = new Error(refusal)
      } catch (err) {
        lastError = err as Error
        options.log('%s attempt %d to open a stream to %s via %s failed: %s %s', route.name, attempt + 1, peerId, relay, lastError.name, lastError.message)
        // A connection on which a stream does not even open in time is dead, though libp2p
        // still lists it (a peer whose page was reloaded leaves one until ICE gives up,
        // ~15 s later) and its dial would hand it back again: abort it so the next attempt
        // dials anew. A refusal (the peer does not speak the protocol) leaves it alone.
        const timedOut = streamSignal?.aborted === true && options.signal?.aborted !== true
        if (connection != null && timedOut) connection.abort(new Error('no stream could be opened on it'))
        // Another attempt cannot fix it: surface it at once.
        if (isPermanentError(lastError)) throw lastError
        if (options.signal?.aborted === true) throw lastError
      }
    }
  }
  throw lastError
}

/** The attempt's signal, bounded more tightly on a connection libp2p reused than on one it just dialed. */
function boundStreamOpen (connection: Connection, attemptStartedAt: number, signal: AbortSignal): AbortSignal {
  const reused = connection.timeline.open < attemptStartedAt
  return reused ? AbortSignal.any([signal, AbortSignal.timeout(REUSED_CONNECTION_STREAM_TIMEOUT_MS)]) : signal
}
