import { StreamResetError } from '@libp2p/interface'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it, vi } from 'vitest'
import { ChannelClosedError } from '../../common/errors/index.ts'
import { sendWithBackpressure } from './backpressure.ts'

const PEER = '12D3KooWPeer'

describe('sendWithBackpressure', () => {
  it('waits for each drain when the stream is full, and every byte arrives in order', async () => {
    // Room for two messages in flight: most sends find the stream full.
    const [outbound, inbound] = await streamPair({ capacity: 2 })
    const received: number[] = []
    inbound.addEventListener('message', (event) => { received.push(...event.data.subarray()) })
    const send = vi.spyOn(outbound, 'send')
    for (let i = 0; i < 50; i++) await sendWithBackpressure(outbound, PEER, Uint8Array.of(i), 1_000)
    await vi.waitFor(() => { expect(received).toHaveLength(50) })
    expect(received).toEqual([...Array(50).keys()])
    expect(send.mock.results.filter(r => r.value === false).length).toBeGreaterThan(1)
  })

  it('fails with ChannelClosedError when the stream closes before it drains', async () => {
    const [outbound, inbound] = await streamPair()
    // The stream says it is full; only its close can end the wait.
    vi.spyOn(outbound, 'send').mockReturnValueOnce(false)
    const sent = sendWithBackpressure(outbound, PEER, Uint8Array.of(1), 10_000)
    inbound.abort(new StreamResetError('gone'))
    const err = await sent.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChannelClosedError)
    expect((err as ChannelClosedError).data).toEqual({ peerId: PEER, reason: 'closed-while-writing' })
  })

  it('fails with ChannelClosedError when no drain comes within the timeout', async () => {
    const [outbound] = await streamPair()
    vi.spyOn(outbound, 'send').mockReturnValueOnce(false)
    const err = await sendWithBackpressure(outbound, PEER, Uint8Array.of(1), 30).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChannelClosedError)
    expect((err as ChannelClosedError).data.reason).toBe('write-timed-out')
    expect((err as Error).message).toBe(`write to ${PEER} timed out after 30 ms`)
  })
})
