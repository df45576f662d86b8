/**
 * Errors that another attempt will not fix, by name: the dial stops at one at
 * once (src/offscreen/reach/dial.ts), and the worker's reconnection policy gives a
 * peer up after a run of the same one (src/background/peers/reconnection-policy.ts).
 *
 * What reaches each side: the dial meets libp2p's errors from `dial()` and
 * `newStream()`; the worker meets what `connect` threw in the offscreen
 * document, rebuilt from its name after crossing the link (the dial's last
 * error, or ours: `ResourceLimitError`, `LinkClosedError`, …, none of which
 * is permanent).
 *
 * Resets and transport errors are never here: a peer must not be able to stop
 * us reconnecting by breaking its own streams. That is why
 * `EncryptionFailedError` is not: libp2p 3.3.11's upgrader (dist/src/upgrader.js)
 * wraps every failed handshake in it, our own attempt timeout and a reset
 * included.
 */
const PERMANENT_ERROR_NAMES = new Set([
  // libp2p: dialing ourselves.
  'InvalidPeerIdError',
  // @multiformats/multiaddr and libp2p: an address that cannot name the peer.
  'InvalidMultiaddrError',
  // multistream-select: the peer does not speak the protocol.
  'UnsupportedProtocolError',
  // libp2p and yamux: the connection has no room for one more stream, and a new dial returns the same connection.
  'TooManyOutboundProtocolStreamsError'
])

/** Whether another attempt cannot fix `err`: a thrown or rebuilt error, a serialized one, or an error's name. */
export function isPermanentError (err: unknown): boolean {
  const name = typeof err === 'string' ? err : typeof err === 'object' && err !== null && 'name' in err ? err.name : undefined
  return typeof name === 'string' && PERMANENT_ERROR_NAMES.has(name)
}
