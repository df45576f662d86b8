import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { REUSED_CONNECTION_STREAM_TIMEOUT_MS } from '../common/constants.ts'
import { isPermanentError } from '../common/errors/index.ts'

export interface DialOptions {
  protocol: string
  relays: string[]
  attemptTimeoutMs: number
  attempts: number
  signal?: AbortSignal
  /** Called at the start of every attempt, so they can be counted. */
  onAttempt?: () => void
  log: (format: string, ...args: unknown[]) => void
}

/**
 * Opens a `protocol` stream on a direct WebRTC connection to `peerId`,
 * signalled through each configured relay in turn.
 *
 * Every attempt is bounded, and a timed-out attempt is retried: in
 * @libp2p/webrtc 6.0.33 the listener's muxer closes the `init` data channel
 * (dist/src/muxer.js) before the dialer has seen the connection as connected,
 * and the dialer then waits for that channel's `open` forever
 * (dist/src/private-to-private/initiate-connection.js). That wait honours the
 * dial's abort signal, so a short per-attempt timeout plus a retry is the
 * whole workaround; it lives here and nowhere else.
 */
export async function openWebRTCStream (node: Libp2p, peerId: string, options: DialOptions): Promise<{ connection: Connection, stream: Stream }> {
  if (options.relays.length === 0) {
    throw new Error('no relay configured: add a relay on the options page to reach peers')
  }
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
        connection = await node.dial(multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${peerId}`), { signal })
        if (connection.limits == null) {
          streamSignal = boundStreamOpen(connection, startedAt, signal)
          return { connection, stream: await connection.newStream(options.protocol, { signal: streamSignal }) }
        }
        lastError = new Error('only a limited relayed connection could be opened')
      } catch (err) {
        lastError = err as Error
        options.log('attempt %d to open a stream to %s via %s failed: %s %s', attempt + 1, peerId, relay, lastError.name, lastError.message)
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
