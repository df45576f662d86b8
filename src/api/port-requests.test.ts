import { describe, expect, it } from 'vitest'
import { isTransportFailure } from './transport-retry.ts'
import { makePortSend, type RequestPort } from './port-requests.ts'
import { API_TAG, type ApiEnvelope, type PortRequest } from './protocol.ts'

/** A port whose other end the test plays: it sees each request and answers, or drops the port. */
function fakePort (): RequestPort & { sent: PortRequest[], answer: (id: number, value: unknown) => void, drop: () => void } {
  const onMessage: Array<(m: unknown) => void> = []
  const onDisconnect: Array<() => void> = []
  const port = {
    sent: [] as PortRequest[],
    postMessage: (m: PortRequest) => { port.sent.push(m) },
    onMessage: { addListener: (l: (m: unknown) => void) => { onMessage.push(l) } },
    onDisconnect: { addListener: (l: () => void) => { onDisconnect.push(l) } },
    disconnect: () => {},
    answer: (id: number, value: unknown) => { for (const l of onMessage) l({ id, response: { ok: true, value } }) },
    drop: () => { for (const l of onDisconnect) l() }
  }
  return port
}

const envelope = (method: string): ApiEnvelope => ({ api: API_TAG, request: { method } }) as unknown as ApiEnvelope

describe('requests over a long-lived port', () => {
  it('sends every request over one port and matches each answer to its request, whatever the order', async () => {
    const ports = [fakePort()]
    const send = makePortSend(() => ports[0]!, async () => { throw new Error('no fallback expected') })
    const a = send(envelope('getStatus'))
    const b = send(envelope('listPeers'))
    expect(ports[0]!.sent.map(r => r.id)).toEqual([0, 1])
    ports[0]!.answer(1, 'b')
    ports[0]!.answer(0, 'a')
    expect(await a).toEqual({ ok: true, value: 'a' })
    expect(await b).toEqual({ ok: true, value: 'b' })
  })

  it('rejects what waited as a transport failure when the port closes (the worker stopped), and opens a new port for the next', async () => {
    const ports: Array<ReturnType<typeof fakePort>> = []
    const send = makePortSend(() => { ports.push(fakePort()); return ports.at(-1)! }, async () => { throw new Error('no fallback expected') })
    const waiting = send(envelope('getStatus'))
    ports[0]!.drop()
    const failure = await waiting.catch((err: unknown) => err)
    expect(isTransportFailure(failure)).toBe(true)
    const next = send(envelope('getStatus'))
    expect(ports).toHaveLength(2)
    ports[1]!.answer(1, 'again')
    expect(await next).toEqual({ ok: true, value: 'again' })
  })

  it('falls back to one-shot messages where no port can be opened', async () => {
    const oneShot: ApiEnvelope[] = []
    const send = makePortSend(() => { throw new Error('no runtime.connect here') }, async (e) => { oneShot.push(e); return { ok: true, value: 'one-shot' } })
    expect(await send(envelope('getStatus'))).toEqual({ ok: true, value: 'one-shot' })
    expect(await send(envelope('listPeers'))).toEqual({ ok: true, value: 'one-shot' })
    expect(oneShot).toHaveLength(2)
  })
})
