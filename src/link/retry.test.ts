import { describe, expect, it, vi } from 'vitest'
import { LinkClosedError, ValidationError } from '../common/errors/index.ts'
import { retryOnLinkLoss } from './retry.ts'

describe('retryOnLinkLoss', () => {
  it('repeats a call whose link was lost, up to the limit', async () => {
    const call = vi.fn<() => Promise<string>>()
      .mockRejectedValueOnce(new LinkClosedError(1, 'gone'))
      .mockResolvedValueOnce('ok')
    await expect(retryOnLinkLoss(call)).resolves.toBe('ok')
    expect(call).toHaveBeenCalledTimes(2)

    const always = vi.fn(async () => { throw new LinkClosedError(2, 'gone') })
    await expect(retryOnLinkLoss(always, 3)).rejects.toBeInstanceOf(LinkClosedError)
    expect(always).toHaveBeenCalledTimes(3)
  })

  it('does not repeat a call the other side refused', async () => {
    const call = vi.fn(async () => { throw new ValidationError('x', 'no') })
    await expect(retryOnLinkLoss(call)).rejects.toBeInstanceOf(ValidationError)
    expect(call).toHaveBeenCalledOnce()
  })
})
