import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiEvent, ClientId, MessageView } from '../../api/protocol.ts'
import { NotAuthorizedError, ResourceLimitError, ValidationError } from '../../common/errors/index.ts'
import { MAX_CLIENT_REQUESTS_PER_SECOND, MAX_EVENT_PORTS_PER_CLIENT } from '../../common/constants.ts'
import { ApiServer, type ApiHandlers, type ClientHandlers, type EventPort } from './api-server.ts'
import { Clients } from './clients.ts'
import { makeMemoryStorage } from '../profile/index.ts'

afterEach(() => { vi.useRealTimers() })

function port (events: ApiEvent[]): EventPort & { closed: boolean } {
  const p = { name: 'peerlink/events', closed: false, postMessage: (e: unknown) => { events.push(e as ApiEvent) }, disconnect: () => { p.closed = true }, onDisconnect: { addListener: () => {} } }
  return p
}
const message = (id: string, state: MessageView['state'], channel = 'peerlink'): MessageView =>
  ({ id, peerId: 'P', direction: 'out', seq: 0, channel, kind: 'text', text: 't', bytes: 1, at: 0, state })

const app: ClientId = 'extension:abcdefghijklmnopabcdefghijklmnop'
const other: ClientId = 'origin:https://other.example'

/** A server whose handlers answer which channel they serve. */
async function makeServer (): Promise<{ server: ApiServer, clients: Clients }> {
  const clients = await Clients.load(makeMemoryStorage())
  const server = new ApiServer({
    handlers: async () => ({ getMessages: async () => [message('own', 'received')], exportIdentity: async () => ({ peerId: 'me', privateKey: 'k' }) }) as unknown as ApiHandlers,
    clientHandlers: async (client) => ({ getMessages: async () => [message(client, 'received', client)] }) as unknown as ClientHandlers,
    clients: async () => clients
  })
  return { server, clients }
}
const request = (req: Record<string, unknown>): unknown => ({ api: 'peerlink/1', request: req })

describe('ApiServer', () => {
  it('gathers message changes into one event, keeping the latest state of each', async () => {
    vi.useFakeTimers()
    const { server } = await makeServer()
    const events: ApiEvent[] = []
    await server.subscribe(port(events))
    events.length = 0
    server.announce(message('a', 'queued'))
    server.announce(message('b', 'queued'))
    server.announce(message('a', 'sent'))
    server.announce(message('a', 'delivered'))
    expect(events).toEqual([])
    vi.advanceTimersByTime(5)
    expect(events).toEqual([{ type: 'messages', messages: [message('b', 'queued'), message('a', 'delivered')] }])
  })

  it('answers a request that fails validation with a ValidationError naming the field', async () => {
    const { server } = await makeServer()
    const answer = await server.handle(request({ method: 'send', peerId: 'p', text: 5 }))
    expect(answer).toMatchObject({ ok: false, error: { name: ValidationError.name, data: { field: 'text' } } })
  })

  it('counts an events port against the client\'s request rate, and caps the ports one client holds', async () => {
    // One second for the whole flood: the rate counts per second.
    vi.useFakeTimers({ toFake: ['Date'] })
    const { server, clients } = await makeServer()
    const events: ApiEvent[] = []
    const caller = { kind: 'client' as const, client: app }
    const flood = await Promise.all(Array.from({ length: MAX_CLIENT_REQUESTS_PER_SECOND + 10 }, async () => await server.subscribe(port(events), caller)))
    expect(flood.filter(Boolean)).toEqual([])
    const refusals = events.filter(e => e.type === 'refused').map(e => (e as { error: { name: string, data: { limitType?: string } } }).error)
    expect(refusals.filter(e => e.data.limitType === 'client-requests-per-second').length).toBeGreaterThan(0)
    // Only the ports the rate let through were counted as asking.
    expect(clients.list()[0]?.attempts).toBe(refusals.filter(e => e.name === NotAuthorizedError.name).length)

    await clients.allow(other)
    const theirs = { kind: 'client' as const, client: other }
    const opened = await Promise.all(Array.from({ length: MAX_EVENT_PORTS_PER_CLIENT + 3 }, () => port([])).map(async p => ({ p, adopted: await server.subscribe(p, theirs) })))
    expect(opened.filter(o => o.adopted)).toHaveLength(MAX_EVENT_PORTS_PER_CLIENT)
    expect(opened.filter(o => o.p.closed)).toHaveLength(3)
  })

  it('refuses a client the user has not allowed, and lists it as a request', async () => {
    const { server, clients } = await makeServer()
    const answer = await server.handle(request({ method: 'getMessages', peerId: 'p' }), { kind: 'client', client: app })
    expect(answer).toMatchObject({ ok: false, error: { name: NotAuthorizedError.name, data: { client: app, reason: 'not-allowed' } } })
    expect(clients.list()).toMatchObject([{ client: app, state: 'requested', attempts: 1 }])
  })

  it('lets an allowed client call only client methods, on its own channel', async () => {
    const { server, clients } = await makeServer()
    await clients.allow(app)
    const caller = { kind: 'client', client: app } as const
    expect(await server.handle(request({ method: 'getMessages', peerId: 'p' }), caller)).toMatchObject({ ok: true, value: [{ channel: app }] })
    expect(await server.handle(request({ method: 'exportIdentity' }), caller))
      .toMatchObject({ ok: false, error: { name: NotAuthorizedError.name, data: { reason: 'method', method: 'exportIdentity' } } })
    expect(await server.handle(request({ method: 'getMessages', peerId: 'p', channel: other }), caller))
      .toMatchObject({ ok: false, error: { name: NotAuthorizedError.name, data: { reason: 'channel' } } })
    // Peerlink's own pages may read any channel.
    expect(await server.handle(request({ method: 'getMessages', peerId: 'p', channel: other }))).toMatchObject({ ok: true })
  })

  it('refuses a flooding client past its rate while another client is served', async () => {
    // One second for the whole flood: the rate counts per second, and a flood across two could pass whole.
    vi.useFakeTimers({ toFake: ['Date'] })
    const { server, clients } = await makeServer()
    await clients.allow(app)
    await clients.allow(other)
    const answers = await Promise.all(Array.from({ length: 250 }, async () => await server.handle(request({ method: 'getMessages', peerId: 'p' }), { kind: 'client', client: app })))
    const refused = answers.filter(a => !a.ok)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0]).toMatchObject({ ok: false, error: { name: ResourceLimitError.name, data: { limitType: 'client-requests-per-second' } } })
    expect(await server.handle(request({ method: 'getMessages', peerId: 'p' }), { kind: 'client', client: other })).toMatchObject({ ok: true })
  })

  it('sends each port only its channel\'s messages, and closes a revoked client\'s ports', async () => {
    vi.useFakeTimers()
    const { server, clients } = await makeServer()
    await clients.allow(app)
    const own: ApiEvent[] = []
    const theirs: ApiEvent[] = []
    const appPort = port(theirs)
    await server.subscribe(port(own))
    await server.subscribe(appPort, { kind: 'client', client: app })
    server.announce(message('a', 'received'))
    server.announce(message('b', 'received', app))
    server.announce(message('c', 'received', other))
    vi.advanceTimersByTime(5)
    expect(own.filter(e => e.type === 'messages')).toEqual([{ type: 'messages', messages: [message('a', 'received')] }])
    expect(theirs.filter(e => e.type === 'messages')).toEqual([{ type: 'messages', messages: [message('b', 'received', app)] }])
    server.closeClient(app)
    expect(theirs.at(-1)).toMatchObject({ type: 'refused', error: { name: NotAuthorizedError.name } })
    expect(appPort.closed).toBe(true)
  })

  it('sends a status port the status and no messages', async () => {
    vi.useFakeTimers()
    const { server } = await makeServer()
    const events: ApiEvent[] = []
    await server.subscribe({ ...port(events), name: 'peerlink/status' })
    server.announce(message('a', 'received'))
    vi.advanceTimersByTime(5)
    expect(events.map(e => e.type)).toEqual(['subscribed'])
  })

  it('refuses the events port of a client that is not allowed', async () => {
    const { server } = await makeServer()
    const events: ApiEvent[] = []
    const p = port(events)
    expect(await server.subscribe(p, { kind: 'client', client: app })).toBe(false)
    expect(events).toMatchObject([{ type: 'refused', error: { name: NotAuthorizedError.name } }])
    expect(p.closed).toBe(true)
  })
})
