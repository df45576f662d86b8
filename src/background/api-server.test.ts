import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiEvent, MessageView } from '../api/protocol.ts'
import { ValidationError } from '../common/errors/index.ts'
import { ApiServer, type ApiHandlers, type EventPort } from './api-server.ts'

afterEach(() => { vi.useRealTimers() })

function port (events: ApiEvent[]): EventPort {
  return { name: 'peerlink/events', postMessage: (e) => { events.push(e as ApiEvent) }, onDisconnect: { addListener: () => {} } }
}
const message = (id: string, state: MessageView['state']): MessageView =>
  ({ id, peerId: 'P', direction: 'out', seq: 0, text: 't', bytes: 1, at: 0, state })

describe('ApiServer', () => {
  it('gathers message changes into one event, keeping the latest state of each', () => {
    vi.useFakeTimers()
    const server = new ApiServer(async () => ({} as ApiHandlers))
    const events: ApiEvent[] = []
    server.subscribe(port(events))
    server.announce(message('a', 'queued'))
    server.announce(message('b', 'queued'))
    server.announce(message('a', 'sent'))
    server.announce(message('a', 'delivered'))
    expect(events).toEqual([])
    vi.advanceTimersByTime(5)
    expect(events).toEqual([{ type: 'messages', messages: [message('b', 'queued'), message('a', 'delivered')] }])
  })

  it('answers a request that fails validation with a ValidationError naming the field', async () => {
    const server = new ApiServer(async () => ({} as ApiHandlers))
    const answer = await server.handle({ api: 'peerlink/1', request: { method: 'send', peerId: 'p', text: 5 } })
    expect(answer).toMatchObject({ ok: false, error: { name: ValidationError.name, data: { field: 'text' } } })
  })
})
