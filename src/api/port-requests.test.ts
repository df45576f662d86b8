import { describe, expect, it } from 'vitest'
import { isTransportFailure } from './transport-retry.ts'
import { makePortSend, type RequestPort } from './port-requests.ts'
import { API_TAG, type ApiEnvelope, type PortRequest } from './protocol.ts'

/** A port whose other end the test plays: it sees each request and answers, or drops the port. */
function fakePort (): RequestPort & { sent: PortRequest[], answer: (id: number, value: unknown) => void, emit: (message: unknown) => void, drop: () => void } {
  const onMessage: Array<(m: unknown) => void> = []
  const onDisconnect: Array<() => void> = []
  const port = {
    sent: [] as PortRequest[],
    postMessage: (m: PortRequest) => { port.sent.push(m) },
    onMessage: { addListener: (l: (m: unknown) => void) => { onMessage.push(l) } },
    onDisconnect: { addListener: (l: () => void) => { onDisconnect.push(l) } },
    disconnect: () => {},
    answer: (id: number, value: unknown) => { port.emit({ id, response: { ok: true, value } }) },
    emit: (message: unknown) => { for (const l of onMessage) l(message) },
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

  it('rejects what waited as a transport failure when a port that answered closes (the worker stopped), and opens a new port for the next', async () => {
    const ports: Array<ReturnType<typeof fakePort>> = []
    const send = makePortSend(() => { ports.push(fakePort()); return ports.at(-1)! }, async () => { throw new Error('no fallback expected') })
    const first = send(envelope('getStatus'))
    ports[0]!.answer(0, 'first')
    expect(await first).toEqual({ ok: true, value: 'first' })
    const waiting = send(envelope('getStatus'))
    ports[0]!.drop()
    const failure = await waiting.catch((err: unknown) => err)
    expect(isTransportFailure(failure)).toBe(true)
    const next = send(envelope('getStatus'))
    expect(ports).toHaveLength(2)
    ports[1]!.answer(2, 'again')
    expect(await next).toEqual({ ok: true, value: 'again' })
  })

  it('sends one-shot what waited on a port that closed before anything came over it, so a missing Peerlink is reported as a one-shot message reports it', async () => {
    const ports: Array<ReturnType<typeof fakePort>> = []
    const send = makePortSend(() => { ports.push(fakePort()); return ports.at(-1)! }, async () => { throw new Error('Could not establish connection. Receiving end does not exist.') })
    const waiting = send(envelope('getStatus'))
    ports[0]!.drop()
    await expect(waiting).rejects.toThrow('Could not establish connection')
  })

  it('answers what waited on a port Peerlink refused with the refusal, and asks on a new port next time', async () => {
    const ports: Array<ReturnType<typeof fakePort>> = []
    const send = makePortSend(() => { ports.push(fakePort()); return ports.at(-1)! }, async () => { throw new Error('no fallback expected') })
    const waiting = send(envelope('getStatus'))
    const error = { name: 'NotAuthorizedError', message: 'not allowed', data: { client: 'extension:aaaa', reason: 'not-allowed' } }
    ports[0]!.emit({ type: 'refused', error })
    ports[0]!.drop()
    expect(await waiting).toEqual({ ok: false, error })
    void send(envelope('getStatus'))
    expect(ports).toHaveLength(2)
  })

  it('falls back to one-shot messages where no port can be opened', async () => {
    const oneShot: ApiEnvelope[] = []
    const send = makePortSend(() => { throw new Error('no runtime.connect here') }, async (e) => { oneShot.push(e); return { ok: true, value: 'one-shot' } })
    expect(await send(envelope('getStatus'))).toEqual({ ok: true, value: 'one-shot' })
    expect(await send(envelope('listPeers'))).toEqual({ ok: true, value: 'one-shot' })
    expect(oneShot).toHaveLength(2)
  })
})
