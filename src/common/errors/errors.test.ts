import { describe, expect, it } from 'vitest'
import { DeliveryFailedError, deserializeError, PeerlinkError, ResourceLimitError, serializeError, ValidationError } from './index.ts'

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

  it('keeps the name of errors it does not know, and wraps non-errors', () => {
    const rebuilt = deserializeError(serializeError(Object.assign(new Error('boom'), { name: 'StreamResetError' })))
    expect(rebuilt.name).toBe('StreamResetError')
    expect(rebuilt.message).toBe('boom')
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain', data: {} })
  })
})
