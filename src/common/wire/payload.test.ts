import { describe, expect, it } from 'vitest'
import { ResourceLimitError, ValidationError } from '../errors/index.ts'
import { parsePayload, payloadBody, payloadOf } from './payload.ts'

describe('payloads', () => {
  it('round-trips text and bytes through the wire body', () => {
    const text = parsePayload({ text: 'héllo' }, '', 100)
    expect(text).toEqual({ kind: 'text', text: 'héllo', bytes: 6 })
    expect(payloadOf('text', payloadBody(text))).toEqual(text)
    const bytes = parsePayload({ bytes: 'AP8BAg==' }, '', 100)
    expect(bytes).toEqual({ kind: 'bytes', text: '', data: 'AP8BAg==', bytes: 4 })
    expect([...payloadBody(bytes)]).toEqual([0, 255, 1, 2])
    expect(payloadOf('bytes', payloadBody(bytes))).toEqual(bytes)
  })

  it('counts the decoded bytes against the limit, before decoding', () => {
    expect(parsePayload({ bytes: 'AAAA' }, '', 3).bytes).toBe(3)
    expect(() => parsePayload({ bytes: 'AAAAAA==' }, '', 3)).toThrow(ResourceLimitError)
    expect(() => parsePayload({ text: 'é'.repeat(2) }, '', 3)).toThrow(ResourceLimitError)
  })

  it('names the bad field of a bad payload', () => {
    const field = (input: { text?: string, bytes?: string }, prefix = ''): unknown => {
      try {
        parsePayload(input, prefix, 100)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        return (err as ValidationError).data.field
      }
      return null
    }
    expect(field({ bytes: 'A===' })).toBe('bytes')
    expect(field({ bytes: 'AB CD' })).toBe('bytes')
    expect(field({ bytes: 'AB-_' })).toBe('bytes')
    expect(field({ bytes: '' })).toBe('bytes')
    expect(field({ text: '' }, 'messages.2.')).toBe('messages.2.text')
    expect(field({})).toBe('text')
    expect(field({ text: 'a', bytes: 'QQ==' }, 'messages.0.')).toBe('messages.0')
  })
})
