import { describe, expect, it } from 'vitest'
import { deserializeError, LinkClosedError, ResourceLimitError, serializeError } from './index.ts'
import { isPermanentError } from './permanence.ts'

/** An error as libp2p throws it: a plain Error with a stable name. */
const libp2pError = (name: string): Error => Object.assign(new Error('from libp2p'), { name })

describe('isPermanentError', () => {
  it('knows the errors another attempt cannot fix, as the dial meets them', () => {
    for (const name of ['InvalidPeerIdError', 'InvalidMultiaddrError', 'UnsupportedProtocolError', 'TooManyOutboundProtocolStreamsError']) {
      expect(isPermanentError(libp2pError(name)), name).toBe(true)
    }
  })

  it('gives the worker the same answer after the error crossed the link, and for its name alone', () => {
    const rebuilt = deserializeError(JSON.parse(JSON.stringify(serializeError(libp2pError('UnsupportedProtocolError')))))
    expect(isPermanentError(rebuilt)).toBe(true)
    expect(isPermanentError(serializeError(libp2pError('InvalidPeerIdError')))).toBe(true)
    expect(isPermanentError('TooManyOutboundProtocolStreamsError')).toBe(true)
    expect(isPermanentError('StreamResetError')).toBe(false)
  })

  it('never counts resets, timeouts, handshake failures or our own limits as permanent', () => {
    for (const name of ['StreamResetError', 'TimeoutError', 'AbortError', 'DialError', 'EncryptionFailedError', 'Error']) {
      expect(isPermanentError(libp2pError(name)), name).toBe(false)
    }
    expect(isPermanentError(new ResourceLimitError('connections', 100, 101))).toBe(false)
    expect(isPermanentError(new LinkClosedError(3, 'replaced'))).toBe(false)
  })

  it('answers false for what is not an error', () => {
    for (const value of [undefined, null, 42, {}, { name: 7 }]) expect(isPermanentError(value)).toBe(false)
  })
})
