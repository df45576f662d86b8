import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventPort } from '../api/api-transport.ts'
import { REFUSED_RESUBSCRIBE_BASE_MS } from '../api/event-subscription.ts'
import { API_TAG, type ApiEnvelope, type ApiEvent } from '../api/protocol.ts'
import { RESUBSCRIBE_DELAY_MS } from '../common/constants.ts'
import { NotAuthorizedError } from '../common/errors/index.ts'
import { makePeerlinkClient, type ClientEvent, type ClientRuntime } from './peerlink-client.ts'

const PEERLINK = 'abcdefghijklmnopabcdefghijklmnop'

/** A port whose events the test fires. */
function fakePort (): EventPort & { emit: (event: ApiEvent) => void, drop: () => void, disconnected: boolean } {
  const onMessage: Array<(message: unknown) => void> = []
  const onDisconnect: Array<() => void> = []
  const port = {
    disconnected: false,
    onMessage: { addListener: (l: (message: unknown) => void) => { onMessage.push(l) } },
    onDisconnect: { addListener: (l: () => void) => { onDisconnect.push(l) } },
    disconnect: () => { port.disconnected = true },
    emit: (event: ApiEvent) => { onMessage.forEach(l => { l(event) }) },
    drop: () => { onDisconnect.forEach(l => { l() }) }
  }
  return port
}

function fakeRuntime (answer: (envelope: ApiEnvelope) => unknown): ClientRuntime & { ports: ReturnType<typeof fakePort>[], sent: Array<{ to: string, envelope: ApiEnvelope }> } {
  const ports: ReturnType<typeof fakePort>[] = []
  const sent: Array<{ to: string, envelope: ApiEnvelope }> = []
  return {
    ports,
    sent,
    sendMessage: async (to, message) => {
      sent.push({ to, envelope: message as ApiEnvelope })
      return answer(message as ApiEnvelope)
    },
    connect: (to, { name }) => {
      expect(to).toBe(PEERLINK)
      expect(name).toBe('peerlink/events')
      const port = fakePort()
      ports.push(port)
      return port
    }
  }
}

const sendResult = (envelope: ApiEnvelope): unknown => ({ ok: true, value: { id: (envelope.request as { id: string }).id, state: 'queued' } })

afterEach(() => { vi.useRealTimers() })

describe('makePeerlinkClient', () => {
  it('sends to Peerlink by id, in the API envelope, with an id of its own and bytes as base64', async () => {
    const runtime = fakeRuntime(sendResult)
    const client = makePeerlinkClient({ peerlinkId: PEERLINK, runtime })
    const result = await client.send('peer', { bytes: new Uint8Array([0, 1, 254, 255]) })
    expect(runtime.sent).toHaveLength(1)
    const [{ to, envelope }] = runtime.sent as [{ to: string, envelope: ApiEnvelope }]
    expect(to).toBe(PEERLINK)
    expect(envelope).toEqual({ api: API_TAG, request: { method: 'send', peerId: 'peer', bytes: 'AAH+/w==', id: result.id } })
    expect(result.id).toMatch(/^[0-9a-f-]{32,36}$/)
    await client.send('peer', { text: 'hi' }, { id: 'mine', awaitDelivery: true, ttlMs: 60_000 })
    expect(runtime.sent[1]?.envelope.request).toEqual({ method: 'send', peerId: 'peer', text: 'hi', id: 'mine', awaitDelivery: true, ttlMs: 60_000 })
    await expect(client.send('peer', { text: 'x', bytes: 'AA==' } as never)).rejects.toBeInstanceOf(TypeError)
  })

  it('repeats a request the stopping worker left unanswered, under the same message id', async () => {
    let calls = 0
    const runtime = fakeRuntime((envelope) => {
      calls++
      if (calls === 1) throw new Error('Could not establish connection. Receiving end does not exist.')
      if (calls === 2) return undefined
      return sendResult(envelope)
    })
    const client = makePeerlinkClient({ peerlinkId: PEERLINK, runtime })
    const result = await client.send('peer', { text: 'once' })
    const ids = runtime.sent.map(s => (s.envelope.request as { id: string }).id)
    expect(ids).toEqual([result.id, result.id, result.id])
  })

  it('rejects with the typed error Peerlink answered, without repeating', async () => {
    const refusal = new NotAuthorizedError(`extension:${'x'.repeat(32)}`, 'not-allowed')
    const runtime = fakeRuntime(() => ({ ok: false, error: { name: refusal.name, message: refusal.message, data: refusal.data } }))
    const client = makePeerlinkClient({ peerlinkId: PEERLINK, runtime })
    const err = await client.status().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NotAuthorizedError)
    expect((err as NotAuthorizedError).data).toEqual({ client: `extension:${'x'.repeat(32)}`, reason: 'not-allowed' })
    expect(runtime.sent).toHaveLength(1)
  })

  it('asks for a page of messages and waits for delivery across awaitDelivery timeouts', async () => {
    const states = ['sent', 'sent', 'delivered']
    const runtime = fakeRuntime(({ request }) => request.method === 'awaitDelivery'
      ? { ok: true, value: { id: request.id, state: states.shift() } }
      : { ok: true, value: [] })
    const client = makePeerlinkClient({ peerlinkId: PEERLINK, runtime })
    await client.messages('peer', { limit: 20, before: 'm1' })
    expect(runtime.sent[0]?.envelope.request).toEqual({ method: 'getMessages', peerId: 'peer', limit: 20, before: 'm1' })
    await expect(client.delivered('m2')).resolves.toMatchObject({ id: 'm2', state: 'delivered' })
    expect(runtime.sent).toHaveLength(4)
  })

  it('subscribes again after the worker restarts, backs off while refused, and stops when unsubscribed', () => {
    vi.useFakeTimers()
    const runtime = fakeRuntime(() => undefined)
    const client = makePeerlinkClient({ peerlinkId: PEERLINK, runtime })
    const events: ClientEvent[] = []
    const unsubscribe = client.subscribe(event => { events.push(event) })
    expect(runtime.ports).toHaveLength(1)

    // A worker restart: the port drops after it was subscribed; a new one comes quickly.
    runtime.ports[0]!.emit({ type: 'subscribed' })
    runtime.ports[0]!.drop()
    vi.advanceTimersByTime(RESUBSCRIBE_DELAY_MS)
    expect(runtime.ports).toHaveLength(2)

    // Refused (revoked): the next try waits at least the backoff's base, and longer each time.
    const refusal = new NotAuthorizedError('extension:x', 'not-allowed')
    const refuse = (port: ReturnType<typeof fakePort>): void => {
      port.emit({ type: 'refused', error: { name: refusal.name, message: refusal.message, data: refusal.data } })
      port.drop()
    }
    vi.spyOn(Math, 'random').mockReturnValue(1)
    refuse(runtime.ports[1]!)
    vi.advanceTimersByTime(REFUSED_RESUBSCRIBE_BASE_MS - 1)
    expect(runtime.ports).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(runtime.ports).toHaveLength(3)
    refuse(runtime.ports[2]!)
    vi.advanceTimersByTime(REFUSED_RESUBSCRIBE_BASE_MS)
    expect(runtime.ports).toHaveLength(3)
    vi.advanceTimersByTime(REFUSED_RESUBSCRIBE_BASE_MS)
    expect(runtime.ports).toHaveLength(4)
    expect(events.map(e => e.type)).toEqual(['subscribed', 'refused', 'refused'])

    unsubscribe()
    expect(runtime.ports[3]!.disconnected).toBe(true)
    runtime.ports[3]!.drop()
    vi.advanceTimersByTime(10 * REFUSED_RESUBSCRIBE_BASE_MS)
    expect(runtime.ports).toHaveLength(4)
  })
})
