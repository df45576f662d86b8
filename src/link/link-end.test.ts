import { afterEach, describe, expect, it, vi } from 'vitest'
import { LinkCallTimeoutError, LinkClosedError, ResourceLimitError } from '../common/errors/index.ts'
import { exposeOnPort, LinkEnd, type LinkApi, type LinkDeadlines } from './link-end.ts'

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

const deadlinesMs: LinkDeadlines<Api> = { echo: 1_000, fail: 1_000, hang: 1_000 }
const options = { waitForLinkMs: 1000, deadlinesMs, silenceMs: 3_000 }

/** A port whose other end nobody answers on: a stopped worker. */
function deadPort (): MessagePort {
  const channel = new MessageChannel()
  channels.push(channel)
  return channel.port2
}

/** Turns of the event loop (no time passes on a fake clock) until `condition` holds. */
async function until (condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (condition()) return
    await new Promise(resolve => setImmediate(resolve))
  }
  throw new Error(`never: ${what}`)
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
    const end = new LinkEnd<Api>(options)
    end.attach(link(makeApi('a')), 1)
    await expect(end.call('echo', 'hi')).resolves.toBe('a:hi')
  })

  it('rebuilds typed errors with their data', async () => {
    const end = new LinkEnd<Api>(options)
    end.attach(link(makeApi('a')), 1)
    const err = await end.call('fail').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLimitError)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'pending-messages', limit: 200, current: 201 })
  })

  it('rejects pending calls with LinkClosedError when the link is replaced', async () => {
    const end = new LinkEnd<Api>(options)
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
    const end = new LinkEnd<Api>(options)
    end.attach(link(makeApi('a')), 5)
    const pending = end.call('hang')
    end.close('worker stopped')
    await expect(pending).rejects.toThrow(/Link 5 closed: worker stopped/)
    expect(end.connected).toBe(false)
  })

  it('closes the link as soon as the other end of the port goes away', async () => {
    const end = new LinkEnd<Api>(options)
    const port = link(makeApi('a'))
    end.attach(port, 3)
    const pending = end.call('hang').catch((e: unknown) => e)
    port.dispatchEvent(new Event('close'))
    expect(((await pending) as LinkClosedError).data).toEqual({ epoch: 3, reason: 'the other side went away' })
    expect(end.connected).toBe(false)
  })

  it('waits for a link when none is up, asking for one', async () => {
    const onNeedLink = vi.fn()
    const end = new LinkEnd<Api>({ ...options, onNeedLink })
    const pending = end.call('echo', 'later')
    expect(onNeedLink).toHaveBeenCalledOnce()
    end.attach(link(makeApi('b')), 1)
    await expect(pending).resolves.toBe('b:later')
  })

  it('fails a call past its own deadline alone: the link and a concurrent fast call go on', async () => {
    const end = new LinkEnd<Api>({ ...options, deadlinesMs: { ...deadlinesMs, hang: 100 } })
    end.attach(link(makeApi('busy')), 1)
    const slow = end.call('hang').catch((e: unknown) => e)
    const fast = end.call('echo', 'quick')
    await expect(fast).resolves.toBe('busy:quick')
    const err = await slow
    expect(err).toBeInstanceOf(LinkCallTimeoutError)
    expect((err as LinkCallTimeoutError).data).toEqual({ method: 'hang', deadlineMs: 100, epoch: 1 })
    expect(end.connected).toBe(true)
    await expect(end.call('echo', 'after')).resolves.toBe('busy:after')
  })

  it('keeps a link whose other side answers probes, however long a call takes', async () => {
    // Fake clocks, so a slow machine cannot make a probe's answer late: time moves only between answers.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    const end = new LinkEnd<Api>({ ...options, deadlinesMs: { ...deadlinesMs, hang: 400 }, silenceMs: 100 })
    const port = link(makeApi('alive'))
    let heard = 0
    port.addEventListener('message', () => { heard++ })
    end.attach(port, 1)
    const call = end.call('hang').catch((e: unknown) => e)
    // After every 50 ms of silence a probe goes out, and its answer is heard before more time passes.
    for (let t = 50; t < 400; t += 50) {
      const before = heard
      await vi.advanceTimersByTimeAsync(50)
      await until(() => heard > before, `the probe at ${t} ms answered`)
      expect(end.connected).toBe(true)
    }
    await vi.advanceTimersByTimeAsync(50)
    expect(await call).toBeInstanceOf(LinkCallTimeoutError)
    expect(end.connected).toBe(true)
  })

  it('closes a silent link, so every pending call fails and retries go to the next link', async () => {
    const onNeedLink = vi.fn()
    const end = new LinkEnd<Api>({ ...options, deadlinesMs: { ...deadlinesMs, hang: 5_000 }, silenceMs: 100, onNeedLink })
    end.attach(deadPort(), 1)
    const hung = end.call('hang').catch((e: unknown) => e)
    const other = end.call('echo', 'lost').catch((e: unknown) => e)
    expect(await hung).toBeInstanceOf(LinkClosedError)
    expect(((await hung) as LinkClosedError).data.reason).toBe('silent for 100 ms')
    expect(await other).toBeInstanceOf(LinkClosedError)
    expect(end.connected).toBe(false)
    const retry = end.call('echo', 'again')
    expect(onNeedLink).toHaveBeenCalledOnce()
    end.attach(link(makeApi('fresh')), 2)
    await expect(retry).resolves.toBe('fresh:again')
  })

  it('gives up waiting for a link after the timeout', async () => {
    vi.useFakeTimers()
    const end = new LinkEnd<Api>({ ...options, waitForLinkMs: 500 })
    const pending = end.call('echo', 'never').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(501)
    expect(await pending).toBeInstanceOf(LinkClosedError)
  })
})
