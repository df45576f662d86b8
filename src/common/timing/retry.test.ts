import { describe, expect, it, vi } from 'vitest'
import { retry } from './retry.ts'

describe('retry', () => {
  it('tries again while the failure is one it may retry, up to the limit', async () => {
    const call = vi.fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('again'))
      .mockResolvedValueOnce('ok')
    await expect(retry(call, { attempts: 3, retryIf: () => true })).resolves.toBe('ok')
    expect(call).toHaveBeenCalledTimes(2)

    const always = vi.fn(async () => { throw new Error('again') })
    await expect(retry(always, { attempts: 3, retryIf: () => true, pauseMs: 1 })).rejects.toThrow('again')
    expect(always).toHaveBeenCalledTimes(3)
  })

  it('throws any other failure at once', async () => {
    const call = vi.fn(async () => { throw new Error('refused') })
    await expect(retry(call, { attempts: 5, retryIf: () => false })).rejects.toThrow('refused')
    expect(call).toHaveBeenCalledOnce()
  })
})
