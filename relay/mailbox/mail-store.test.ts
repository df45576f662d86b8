import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MailStore, type MailLimits } from './mail-store.ts'

const DAY = 86_400_000
const limits: MailLimits = { maxBytesPerRecipient: 1000, maxEnvelopesPerRecipient: 3, maxEnvelopeBytes: 400, ttlMs: 30 * DAY, maxTotalBytes: 1500 }
const token = Uint8Array.from({ length: 32 }, (_, i) => i)
const other = Uint8Array.from({ length: 32 }, (_, i) => 100 + i)
const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill)

describe('the relay\'s mail store', () => {
  const dirs: string[] = []
  const open = (options: Partial<MailLimits> = {}, dir = mkdtempSync(join(tmpdir(), 'mail-store-'))): { store: MailStore, path: string } => {
    dirs.push(dir)
    const path = join(dir, 'mailbox.sqlite')
    return { store: MailStore.open(path, { ...limits, ...options }), path }
  }
  afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }) })

  it('takes mail only for a registered recipient, from the holder of a token it registered', () => {
    const { store } = open()
    expect(store.deposit('bob', token, bytes(10), 0)).toEqual({ reason: 'no-mailbox' })
    store.register('bob', [token], 0)
    expect(store.deposit('bob', other, bytes(10), 0)).toEqual({ reason: 'not-allowed' })
    expect(store.deposit('bob', token, bytes(10), 0)).toEqual({ id: 1 })
    // Registering again replaces the set: the old token is withdrawn.
    store.register('bob', [other], 1)
    expect(store.deposit('bob', token, bytes(10), 1)).toEqual({ reason: 'not-allowed' })
    expect(store.deposit('bob', other, bytes(10), 1)).toEqual({ id: 2 })
    store.close()
  })

  it('refuses over each limit with the limit and the value, and takes nothing', () => {
    const { store } = open()
    store.register('bob', [token], 0)
    store.register('carol', [token], 0)
    expect(store.deposit('bob', token, bytes(401), 0)).toEqual({ reason: 'envelope-too-large', limit: 400, value: 401 })
    store.deposit('bob', token, bytes(400), 0)
    store.deposit('bob', token, bytes(400), 0)
    expect(store.deposit('bob', token, bytes(300), 0)).toEqual({ reason: 'mailbox-full-bytes', limit: 1000, value: 1100 })
    store.deposit('bob', token, bytes(100), 0)
    expect(store.deposit('bob', token, bytes(1), 0)).toEqual({ reason: 'mailbox-full-envelopes', limit: 3, value: 4 })
    store.deposit('carol', token, bytes(400), 0)
    expect(store.deposit('carol', token, bytes(400), 0)).toEqual({ reason: 'relay-full', limit: 1500, value: 1700 })
    expect(store.waiting('bob')).toEqual({ envelopes: 3, bytes: 900 })
    expect(store.stats()).toEqual({ mailboxes: 2, envelopes: 4, bytes: 1300 })
    store.close()
  })

  it('checks each deposit of a group against the limits as the ones before it left them', () => {
    const { store } = open()
    store.register('bob', [token], 0)
    const results = store.depositMany([
      { recipient: 'bob', tokenHash: token, envelope: bytes(400) },
      { recipient: 'bob', tokenHash: other, envelope: bytes(10) },
      { recipient: 'bob', tokenHash: token, envelope: bytes(400) },
      { recipient: 'bob', tokenHash: token, envelope: bytes(300) }
    ], 0)
    expect(results).toEqual([{ id: 1 }, { reason: 'not-allowed' }, { id: 2 }, { reason: 'mailbox-full-bytes', limit: 1000, value: 1100 }])
    expect(store.waiting('bob')).toEqual({ envelopes: 2, bytes: 800 })
    store.close()
  })

  it('hands a recipient its own envelopes in order, a page at a time, and deletes only its own', () => {
    const { store } = open({ maxEnvelopesPerRecipient: 100, maxBytesPerRecipient: 10_000, maxTotalBytes: 100_000 })
    store.register('bob', [token], 0)
    store.register('carol', [token], 0)
    const ids = [1, 2, 3, 4, 5].map(i => (store.deposit('bob', token, bytes(10, i), i) as { id: number }).id)
    const carols = (store.deposit('carol', token, bytes(10), 9) as { id: number }).id
    const first = store.fetch('bob', 0, 2, 10)
    expect(first.envelopes.map(e => [e.id, e.depositedAt, e.envelope[0]])).toEqual([[ids[0], 1, 1], [ids[1], 2, 2]])
    expect(first.more).toBe(true)
    const rest = store.fetch('bob', first.envelopes.at(-1)!.id, 10, 10)
    expect(rest.envelopes.map(e => e.id)).toEqual(ids.slice(2))
    expect(rest.more).toBe(false)
    expect(store.delete('bob', [ids[0]!, ids[1]!, carols])).toBe(2)
    expect(store.waiting('bob')).toEqual({ envelopes: 3, bytes: 30 })
    expect(store.waiting('carol')).toEqual({ envelopes: 1, bytes: 10 })
    store.close()
  })

  it('forgets mail past its time to live, and a mailbox whose owner was not seen within it', () => {
    const { store } = open()
    store.register('bob', [token], 0)
    store.deposit('bob', token, bytes(10), 0)
    expect(store.fetch('bob', 0, 10, 30 * DAY).envelopes).toEqual([])
    expect(store.expire(30 * DAY)).toBe(1)
    expect(store.waiting('bob')).toEqual({ envelopes: 0, bytes: 0 })
    // Bob was seen at the fetch: his mailbox lives on for another 30 days.
    expect(store.hasMailbox('bob', 59 * DAY)).toBe(true)
    store.expire(60 * DAY)
    expect(store.hasMailbox('bob', 60 * DAY)).toBe(false)
    expect(store.deposit('bob', token, bytes(10), 60 * DAY)).toEqual({ reason: 'no-mailbox' })
    store.close()
  })

  it('keeps what it answered across a reopen, with the counts the limits check', () => {
    const { store, path } = open()
    store.register('bob', [token], 0)
    store.deposit('bob', token, bytes(400), 0)
    store.close()
    const again = MailStore.open(path, limits)
    expect(again.fetch('bob', 0, 10, 1).envelopes.map(e => e.envelope.byteLength)).toEqual([400])
    again.deposit('bob', token, bytes(400), 1)
    expect(again.deposit('bob', token, bytes(300), 1)).toEqual({ reason: 'mailbox-full-bytes', limit: 1000, value: 1100 })
    again.close()
  })
})
