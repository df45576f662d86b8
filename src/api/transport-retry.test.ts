import { describe, expect, it, vi } from 'vitest'
import { UnknownPeerError } from '../common/errors/index.ts'
import { isTransportFailure, withTransportRetry } from './transport-retry.ts'

describe('withTransportRetry', () => {
  it('repeats requests that got no answer because the worker stopped', async () => {
    const request = vi.fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('The message port closed before a response was received.'))
      .mockRejectedValueOnce(new Error('Could not establish connection. Receiving end does not exist.'))
      .mockResolvedValueOnce('answer')
    await expect(withTransportRetry(request, 5, 1)).resolves.toBe('answer')
    expect(request).toHaveBeenCalledTimes(3)
  })

  it('does not repeat a request Peerlink refused', async () => {
    const request = vi.fn(async () => { throw new UnknownPeerError('p') })
    await expect(withTransportRetry(request, 5, 1)).rejects.toBeInstanceOf(UnknownPeerError)
    expect(request).toHaveBeenCalledOnce()
    expect(isTransportFailure(new Error('No SW'))).toBe(true)
    expect(isTransportFailure(new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received'))).toBe(true)
  })
})
