import { afterEach, describe, expect, it, vi } from 'vitest'
import { LinkClosedError, ResourceLimitError } from '../common/errors/index.ts'
import { exposeOnPort, LinkEnd, type LinkApi } from './link-end.ts'

interface Api extends LinkApi {
  echo: (value: string) => Promise<string>
  fail: () => Promise<never>
  hang: () => Promise<never>
}

const channels: MessageChannel[] = []

function link (api: Api): MessagePort {
  const channel = new MessageChannel()
  channels.push(channel)
  exposeOnPort(api, channel.port1)
  return channel.port2
}

function makeApi (tag: string): Api {
  return {
    echo: async (value) => `${tag}:${value}`,
    fail: async () => { throw new ResourceLimitError('pending-messages', 200, 201) },
    hang: async () => await new Promise<never>(() => {})
  }
}

afterEach(() => {
  for (const c of channels.splice(0)) { c.port1.close(); c.port2.close() }
  vi.useRealTimers()
})

describe('LinkEnd', () => {
  it('calls the other side and returns its answer', async () => {
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000 })
    end.attach(link(makeApi('a')), 1)
    await expect(end.call('echo', 'hi')).resolves.toBe('a:hi')
  })

  it('rebuilds typed errors with their data', async () => {
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000 })
    end.attach(link(makeApi('a')), 1)
    const err = await end.call('fail').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLimitError)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'pending-messages', limit: 200, current: 201 })
  })

  it('rejects pending calls with LinkClosedError when the link is replaced', async () => {
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000 })
    end.attach(link(makeApi('old')), 1)
    const pending = end.call('hang')
    end.attach(link(makeApi('new')), 2)
    const err = await pending.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LinkClosedError)
    expect((err as LinkClosedError).data.epoch).toBe(1)
    // New calls use the new link, never the old one.
    await expect(end.call('echo', 'x')).resolves.toBe('new:x')
    expect(end.epoch).toBe(2)
  })

  it('rejects pending calls when the link is closed', async () => {
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000 })
    end.attach(link(makeApi('a')), 5)
    const pending = end.call('hang')
    end.close('worker stopped')
    await expect(pending).rejects.toThrow(/Link 5 closed: worker stopped/)
    expect(end.connected).toBe(false)
  })

  it('closes the link as soon as the other end of the port goes away', async () => {
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000 })
    const port = link(makeApi('a'))
    end.attach(port, 3)
    const pending = end.call('hang').catch((e: unknown) => e)
    port.dispatchEvent(new Event('close'))
    expect(((await pending) as LinkClosedError).data).toEqual({ epoch: 3, reason: 'the other side went away' })
    expect(end.connected).toBe(false)
  })

  it('waits for a link when none is up, asking for one', async () => {
    const onNeedLink = vi.fn()
    const end = new LinkEnd<Api>({ waitForLinkMs: 1000, onNeedLink })
    const pending = end.call('echo', 'later')
    expect(onNeedLink).toHaveBeenCalledOnce()
    end.attach(link(makeApi('b')), 1)
    await expect(pending).resolves.toBe('b:later')
  })

  it('closes a silent link after the call timeout, so retries go to the next link', async () => {
    vi.useFakeTimers()
    const onNeedLink = vi.fn()
    const end = new LinkEnd<Api>({ waitForLinkMs: 5_000, callTimeoutMs: () => 100, onNeedLink })
    end.attach(link(makeApi('silent')), 1)
    const hung = end.call('hang').catch((e: unknown) => e)
    const other = end.call('hang').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(101)
    expect(await hung).toBeInstanceOf(LinkClosedError)
    expect(((await hung) as LinkClosedError).data.reason).toBe('no answer to hang within 100 ms')
    expect(await other).toBeInstanceOf(LinkClosedError)
    expect(end.connected).toBe(false)
    const retry = end.call('echo', 'again')
    expect(onNeedLink).toHaveBeenCalledOnce()
    end.attach(link(makeApi('fresh')), 2)
    vi.useRealTimers()
    await expect(retry).resolves.toBe('fresh:again')
  })

  it('gives up waiting for a link after the timeout', async () => {
    vi.useFakeTimers()
    const end = new LinkEnd<Api>({ waitForLinkMs: 500 })
    const pending = end.call('echo', 'never').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(501)
    expect(await pending).toBeInstanceOf(LinkClosedError)
  })
})
