import { describe, expect, it } from 'vitest'
import {
  ChannelClosedError, DeliveryFailedError, deserializeError, IceOfferRefusedError, InactivityTimeoutError, MalformedFrameError, NoDirectConnectionError, NoRelayError, NotConnectedError,
  PeerDisconnectedError, PeerlinkError, PeerNotAllowedError, ResetByUserError, ResourceLimitError, serializeError, StuckStreamError, ValidationError
} from './index.ts'

describe('error marshalling', () => {
  it('rebuilds a typed error with its name and data after a JSON round trip', () => {
    const original = new ResourceLimitError('message-bytes', 1024, 2048)
    const rebuilt = deserializeError(JSON.parse(JSON.stringify(serializeError(original))))
    expect(rebuilt).toBeInstanceOf(ResourceLimitError)
    expect(rebuilt).toBeInstanceOf(PeerlinkError)
    expect(rebuilt.name).toBe('ResourceLimitError')
    expect((rebuilt as ResourceLimitError).data).toEqual({ limitType: 'message-bytes', limit: 1024, current: 2048 })
    expect(rebuilt.message).toBe(original.message)
  })

  it('keeps each class its own stable name', () => {
    expect(new ValidationError('relay', 'bad').name).toBe('ValidationError')
    expect(new DeliveryFailedError('m1', 'p1', 'expired').data.reason).toBe('expired')
  })

  it('rebuilds the node\'s stream errors typed, with their data and message', () => {
    const originals = [
      new MalformedFrameError('empty frame'),
      new InactivityTimeoutError('p1', 130_000, 120_000),
      new StuckStreamError('p1', 4096, 61_000, 60_000),
      new ChannelClosedError('p1', 'write-timed-out', 'write to p1 timed out after 10000 ms'),
      new PeerNotAllowedError('p1'),
      new NotConnectedError('p1'),
      new PeerDisconnectedError('p1'),
      new ResetByUserError('p1'),
      new NoDirectConnectionError('p1'),
      new NoRelayError('p1'),
      new IceOfferRefusedError('NO_RESERVATION')
    ]
    for (const original of originals) {
      const rebuilt = deserializeError(JSON.parse(JSON.stringify(serializeError(original))))
      expect(rebuilt, original.name).toBeInstanceOf(original.constructor)
      expect(rebuilt.name).toBe(original.constructor.name)
      expect((rebuilt as PeerlinkError).data).toEqual(original.data)
      expect(rebuilt.message).toBe(original.message)
    }
    expect(new InactivityTimeoutError('p1', 130_000, 120_000).message).toBe('nothing from p1 for 130000 ms')
  })

  it('keeps the name of errors it does not know, and wraps non-errors', () => {
    const rebuilt = deserializeError(serializeError(Object.assign(new Error('boom'), { name: 'StreamResetError' })))
    expect(rebuilt.name).toBe('StreamResetError')
    expect(rebuilt.message).toBe('boom')
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain', data: {} })
  })
})

describe('every error class crosses the link typed', () => {
  it('rebuilds each PeerlinkError subclass this module exports as itself (a class left out arrives as a plain Error)', async () => {
    const classes = Object.values(await import('./index.ts'))
      .filter((value): value is typeof PeerlinkError => typeof value === 'function' && value.prototype instanceof PeerlinkError)
    expect(classes.length).toBeGreaterThan(15)
    for (const ErrorClass of classes) {
      // Bare data is enough: what is checked is the class a name is rebuilt as.
      const rebuilt = deserializeError({ name: ErrorClass.name, message: 'm', data: {} })
      expect(rebuilt, ErrorClass.name).toBeInstanceOf(ErrorClass)
    }
  })
})
