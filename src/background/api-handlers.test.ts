import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OWN_CHANNEL } from '../common/client-id.ts'
import { formatContactCard } from '../common/wire/contact-card.ts'
import { MAX_AUTO_ACCEPTED_PEERS, MAX_PEERS } from '../common/constants.ts'
import { DeliveryFailedError, PeerClosedError, ResourceLimitError, UnknownPeerError, ValidationError } from '../common/errors/index.ts'
import type { OffscreenApi } from '../link/apis.ts'
import { makeApiHandlers, makeClientHandlers } from './api-handlers.ts'
import { expireWaiting } from './duties.ts'
import type { ApiHandlers, SiteScripts } from './api/index.ts'
import { DeliveryWatch, messageView } from './delivery/index.ts'
import { makeMemoryStorage } from './profile/index.ts'
import type { NodeLink } from './node/index.ts'
import { NodeSync } from './node-sync.ts'
import type { Notice } from './notices.ts'
import { makeParts, type Parts } from './parts.ts'
import { StatusReporter } from './status-reporter.ts'
import { makeWorkerApi } from './worker-api.ts'
import type { WorkerContext } from './worker-context.ts'

const newPeerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const bob = await newPeerId()
const [relayId, stranger, otherRelayId] = await Promise.all([newPeerId(), newPeerId(), newPeerId()])

let parts: Parts
let handlers: ApiHandlers
let badge: number[]
/** The notifications on screen, by id. */
let shown: Map<string, Notice>
let w: WorkerContext
/** Origins whose content scripts are registered, and clients whose ports were closed. */
let registered: string[]
let closed: string[]
const sites: SiteScripts = {
  registerSite: async (origin) => { registered.push(origin) },
  unregisterSite: async (origin) => { registered = registered.filter(o => o !== origin) },
  registeredSites: async () => registered
}
const clientPorts = { close: (client: string) => { closed.push(client) } }

/** What the node was told: every call by name, and the peers it lets connect as its calls left them. */
interface NodeRecord { calls: string[], allowed: Set<string> }
let atNode: NodeRecord

/** The node's half as the handlers see it: records calls and who may connect, answers like an idle node. */
function fakeNode (record: NodeRecord = { calls: [], allowed: new Set() }): NodeLink {
  const info = { peerId: null, state: 'running' as const, addresses: [], relays: [], peers: {}, connections: 0, requests: [], counters: {} as never, startedAt: 1 }
  const node = {
    info,
    view: { connected: true, epoch: 1, firstCallAfterStartMs: null },
    call: async (method: keyof OffscreenApi, arg?: unknown) => {
      record.calls.push(method)
      if (method === 'setAllowedPeers') record.allowed = new Set(arg as string[])
      if (method === 'changeAllowedPeers') {
        const { allow, disallow } = arg as { allow: string[], disallow: string[] }
        for (const peerId of allow) record.allowed.add(peerId)
        for (const peerId of disallow) record.allowed.delete(peerId)
      }
      // A permanent error: the peer does not speak Peerlink's protocol.
      if (method === 'connect') throw Object.assign(new Error('unsupported'), { name: 'UnsupportedProtocolError' })
      return method === 'info' || method === 'start' ? info : undefined
    },
    refreshInfo: async () => info,
    update: () => {}
  }
  return node as unknown as NodeLink
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory()
  atNode = { calls: [], allowed: new Set() }
  badge = []
  shown = new Map()
  registered = []
  closed = []
  const node = fakeNode(atNode)
  const storage = makeMemoryStorage()
  const reporter: { status?: StatusReporter } = {}
  parts = await makeParts({ storage, node, announce: (stored) => { reporter.status?.messageSeen(messageView(stored)) }, statusChanged: () => { reporter.status?.soon() }, showBadge: (n) => { badge.push(n) }, notifier: { show: (id, notice) => { shown.set(id, notice) }, clear: (id) => { shown.delete(id) } }, noticeDelayMs: 20, log: () => {} })
  const status = reporter.status = new StatusReporter(parts, node, { broadcastStatus: () => {} })
  handlers = makeApiHandlers(w = { parts, node, status, sync: new NodeSync(parts, node, status), watch: new DeliveryWatch(), storage, log: () => {}, sites, clientPorts, restart: async () => { throw new Error('not in these tests') } })
})
afterEach(() => {
  // The timers stop. The database stays open: it lives in this test's own IDBFactory and goes with it, and
  // work a handler started without waiting (an outbox flush, a coalesced status) may still be using it.
  parts.reconnector.stop()
  parts.outbox.stop()
})

describe('NodeSync', () => {
  it('leaves the node with the latest settings when two starts overlap (a new link, and relays changed meanwhile)', async () => {
    const relay = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${relayId}`
    const info = fakeNode().info
    // The node applies a start when its call ends; the first one is slow (a node shutting down).
    const applied: string[][] = []
    let starts = 0
    const node = {
      ...fakeNode(),
      call: async (method: keyof OffscreenApi, config?: { relays: string[] }) => {
        if (method !== 'start') return info
        const slow = starts++ === 0
        await new Promise(resolve => setTimeout(resolve, slow ? 30 : 0))
        applied.push(config!.relays)
        return info
      }
    } as unknown as NodeLink
    const sync = new NodeSync(parts, node, { publish: async () => {}, soon: () => {} } as unknown as StatusReporter)
    const forLink = sync.start()
    await parts.settings.setRelays([relay])
    await Promise.all([forLink, sync.start()])
    expect(applied.at(-1)).toEqual([relay])
  })
  it('after a start, tells the node only which peers changed', async () => {
    const info = fakeNode().info
    const sent: Array<[string, unknown]> = []
    const node = { ...fakeNode(), call: async (method: keyof OffscreenApi, arg?: unknown) => { sent.push([method, arg]); return info } } as unknown as NodeLink
    const sync = new NodeSync(parts, node, { publish: async () => {}, soon: () => {} } as unknown as StatusReporter)
    await parts.contacts.add(bob)
    await sync.start()
    await parts.contacts.add(stranger)
    await sync.allowed()
    await parts.contacts.remove(bob)
    await sync.allowed()
    // Nothing changed: nothing is sent.
    await sync.allowed()
    // Each change also tells the node whose tokens may leave us mail: the new contact's joins, the removed one's goes.
    expect(sent.filter(([method]) => method !== 'start')).toEqual([
      ['changeAllowedPeers', { allow: [stranger], disallow: [] }],
      ['setMailboxTokens', parts.tokens.hashes([bob, stranger])],
      ['changeAllowedPeers', { allow: [], disallow: [bob] }],
      ['setMailboxTokens', parts.tokens.hashes([stranger])]
    ])
  })
})

describe('API handlers', () => {
  it('adds a contact and the node lets it connect; a removed one no longer', async () => {
    const view = await handlers.addPeer({ method: 'addPeer', peerId: bob, name: 'Bob' })
    expect(view).toMatchObject({ peerId: bob, name: 'Bob', state: 'idle', pending: { messages: 0, bytes: 0 } })
    expect(atNode.allowed).toEqual(new Set([bob]))
    // A second contact is added to what the node was told, not instead of it.
    await handlers.addPeer({ method: 'addPeer', peerId: stranger })
    expect(atNode.allowed).toEqual(new Set([bob, stranger]))
    await handlers.removePeer({ method: 'removePeer', peerId: bob })
    expect(atNode.allowed).toEqual(new Set([stranger]))
  })

  it('refuses a message to someone who is not a contact', async () => {
    await expect(handlers.send({ method: 'send', peerId: bob, text: 'hi' })).rejects.toBeInstanceOf(UnknownPeerError)
  })

  it('refuses at once a message to a peer reconnection gave up on, storing nothing; the give-up is told until the person reconnects', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob, name: 'Bob' })
    await handlers.setLimits({ method: 'setLimits', limits: { retryBaseMs: 100, retryCapMs: 1_000 } })
    expect(await givenUp()).toBe(true)
    await vi.waitFor(() => { expect([...shown.values()]).toEqual([{ kind: 'gave-up', peerId: bob, name: 'Bob' }]) })
    const err = await handlers.send({ method: 'send', peerId: bob, text: 'hello?', id: 'm1' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DeliveryFailedError)
    expect((err as DeliveryFailedError).data).toMatchObject({ messageId: 'm1', peerId: bob, reason: 'given-up' })
    expect(await handlers.getMessages({ method: 'getMessages', peerId: bob })).toEqual([])
    await handlers.reconnectPeer({ method: 'reconnectPeer', peerId: bob })
    expect(shown.size).toBe(0)
  })

  it('refuses a message in a conversation the user closed', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.closePeer({ method: 'closePeer', peerId: bob })
    await expect(handlers.send({ method: 'send', peerId: bob, text: 'x' })).rejects.toBeInstanceOf(PeerClosedError)
  })

  it('takes a removed contact\'s unread messages off the badge', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await parts.inbox.receive(bob, [{ seq: 0, id: 'a', body: new TextEncoder().encode('one'), channel: OWN_CHANNEL, kind: 'text' }, { seq: 1, id: 'b', body: new TextEncoder().encode('two'), channel: OWN_CHANNEL, kind: 'text' }])
    expect(badge.at(-1)).toBe(2)
    await handlers.removePeer({ method: 'removePeer', peerId: bob })
    expect(badge.at(-1)).toBe(0)
    expect(await parts.unread.counts()).toEqual({})
  })

  it('tells of a burst of messages in one notice per contact, with the count and the newest text, gone once read', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob, name: 'Bob' })
    const text = (seq: number, body: string): { seq: number, id: string, body: Uint8Array, channel: string, kind: 'text' } => ({ seq, id: `m${seq}`, body: new TextEncoder().encode(body), channel: OWN_CHANNEL, kind: 'text' })
    await parts.inbox.receive(bob, [text(0, 'one')])
    await parts.inbox.receive(bob, [text(1, 'two'), text(2, 'three')])
    await vi.waitFor(() => { expect(shown.size).toBe(1) })
    expect(shown.get(`messages/${bob}`)).toEqual({ kind: 'messages', peerId: bob, name: 'Bob', count: 3, last: { kind: 'text', text: 'three' } })
    await handlers.markRead({ method: 'markRead', peerId: bob })
    expect(shown.size).toBe(0)
  })

  it('tells nothing of messages a page read at once, of a muted contact, or with notifications off', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    const text = (seq: number): { seq: number, id: string, body: Uint8Array, channel: string, kind: 'text' } => ({ seq, id: `m${seq}`, body: new TextEncoder().encode('hi'), channel: OWN_CHANNEL, kind: 'text' })
    await parts.inbox.receive(bob, [text(0)])
    await handlers.markRead({ method: 'markRead', peerId: bob })
    expect((await handlers.setMuted({ method: 'setMuted', peerId: bob, muted: true })).muted).toBe(true)
    await parts.inbox.receive(bob, [text(1)])
    expect((await handlers.setMuted({ method: 'setMuted', peerId: bob, muted: false })).muted).toBe(false)
    expect((await handlers.setNotifications({ method: 'setNotifications', on: false })).notifications).toBe(false)
    await parts.inbox.receive(bob, [text(2)])
    // Each burst's notice would have shown within 20 ms.
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(shown.size).toBe(0)
    await expect(handlers.setMuted({ method: 'setMuted', peerId: stranger!, muted: true })).rejects.toBeInstanceOf(UnknownPeerError)
  })

  it('shows each conversation\'s newest message on Peerlink\'s channel, kept as messages come', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await parts.inbox.receive(bob, [{ seq: 0, id: 'a', body: new TextEncoder().encode('stored before the first status'), channel: OWN_CHANNEL, kind: 'text' }])
    expect((await handlers.getStatus({ method: 'getStatus' })).peers[0]?.last).toMatchObject({ direction: 'in', kind: 'text', text: 'stored before the first status' })
    const sent = await handlers.send({ method: 'send', peerId: bob, text: 'x'.repeat(500) })
    expect((await handlers.getStatus({ method: 'getStatus' })).peers[0]?.last).toMatchObject({ id: sent.id, direction: 'out', text: 'x'.repeat(100) })
  })

  it('shows pages only the documented fields of a message', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.send({ method: 'send', peerId: bob, text: 'hi', id: 'm2' })
    const message = await handlers.getMessage({ method: 'getMessage', id: 'm2' })
    expect(Object.keys(message).sort()).toEqual(['at', 'bytes', 'channel', 'direction', 'id', 'kind', 'peerId', 'seq', 'state', 'text'])
  })
})

describe('clients', () => {
  const app = 'extension:abcdefghijklmnopabcdefghijklmnop' as const
  const site = 'origin:http://127.0.0.1:8123' as const

  it('sends a client\'s text and bytes on its channel, where Peerlink\'s own pages do not see them', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    const asApp = makeClientHandlers(w, app)
    await asApp.send({ method: 'send', peerId: bob, text: 'from the app', id: 'a1' })
    await asApp.send({ method: 'send', peerId: bob, bytes: btoa('\u0000\u00ff\u0001'), id: 'a2' })
    await handlers.send({ method: 'send', peerId: bob, text: 'from the popup', id: 'p1' })
    const appView = await asApp.getMessages({ method: 'getMessages', peerId: bob })
    expect(appView.map(m => [m.id, m.channel, m.kind, m.text, m.data ?? null, m.bytes])).toEqual([
      ['a1', app, 'text', 'from the app', null, 12],
      ['a2', app, 'bytes', '', 'AP8B', 3]
    ])
    expect((await handlers.getMessages({ method: 'getMessages', peerId: bob })).map(m => m.id)).toEqual(['p1'])
    expect((await handlers.getMessages({ method: 'getMessages', peerId: bob, channel: app })).map(m => m.id)).toEqual(['a1', 'a2'])
    // Another channel's message is answered as if it did not exist.
    await expect(asApp.getMessage({ method: 'getMessage', id: 'p1' })).rejects.toBeInstanceOf(ValidationError)
  })

  it('refuses oversize and invalid base64 bytes, naming the limit or the field, and stores nothing', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    const max = parts.settings.current.limits.maxMessageBytes
    const over = btoa('x'.repeat(max + 1))
    await expect(handlers.send({ method: 'send', peerId: bob, bytes: over })).rejects.toMatchObject({ data: { limitType: 'message-bytes', limit: max, current: max + 1 } })
    for (const bad of ['not base64!', 'QUJD\n', 'QQ', '']) {
      await expect(handlers.send({ method: 'send', peerId: bob, bytes: bad })).rejects.toMatchObject({ name: 'ValidationError', data: { field: 'bytes' } })
    }
    await expect(handlers.send({ method: 'send', peerId: bob, text: 'a', bytes: 'QQ==' })).rejects.toBeInstanceOf(ValidationError)
    expect(await handlers.getMessages({ method: 'getMessages', peerId: bob })).toEqual([])
  })

  it('holds each client to its share of a peer\'s pending messages', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.setLimits({ method: 'setLimits', limits: { maxPendingMessagesPerClient: 2 } })
    const asApp = makeClientHandlers(w, app)
    await asApp.sendMany({ method: 'sendMany', peerId: bob, messages: [{ text: 'a' }, { text: 'b' }] })
    await expect(asApp.send({ method: 'send', peerId: bob, text: 'c' }))
      .rejects.toMatchObject({ name: 'ResourceLimitError', data: { limitType: 'client-pending-messages', limit: 2, current: 3 } })
    // Peerlink's own pages are not limited by a client's share.
    await handlers.sendMany({ method: 'sendMany', peerId: bob, messages: [{ text: 'x' }, { text: 'y' }, { text: 'z' }] })
  })

  it('keeps each client\'s message ids in its own channel: one id from two clients is two messages, and neither learns of the other\'s', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    await handlers.allowClient({ method: 'allowClient', client: site })
    const [asApp, asSite] = [makeClientHandlers(w, app), makeClientHandlers(w, site)]
    expect(await asApp.send({ method: 'send', peerId: bob, text: 'from the app', id: 'shared' })).toEqual({ id: 'shared', state: 'queued' })
    expect(await asSite.send({ method: 'send', peerId: bob, text: 'from the site', id: 'shared' })).toEqual({ id: 'shared', state: 'queued' })
    expect(await handlers.send({ method: 'send', peerId: bob, text: 'from the popup', id: 'shared' })).toEqual({ id: 'shared', state: 'queued' })
    expect((await asApp.getMessage({ method: 'getMessage', id: 'shared' })).text).toBe('from the app')
    expect((await asSite.getMessage({ method: 'getMessage', id: 'shared' })).text).toBe('from the site')
    expect((await handlers.getMessage({ method: 'getMessage', id: 'shared' })).text).toBe('from the popup')
    // Peerlink's own pages may name a channel, as in getMessages.
    expect((await handlers.getMessage({ method: 'getMessage', id: 'shared', channel: site })).text).toBe('from the site')
    // Repeating a send answers that client's own message, and only a different message under its id is refused.
    expect(await asSite.send({ method: 'send', peerId: bob, text: 'from the site', id: 'shared' })).toMatchObject({ id: 'shared' })
    await expect(asSite.send({ method: 'send', peerId: bob, text: 'something else', id: 'shared' })).rejects.toBeInstanceOf(ValidationError)
    expect((await parts.store.pendingByPeer()).get(bob)?.messages).toBe(3)
  })

  it('holds a client sending large messages to its byte quota, so Peerlink\'s own pages can still send to that contact', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    const asApp = makeClientHandlers(w, app)
    const { maxMessageBytes, maxPendingBytesPerClient } = parts.settings.current.limits
    const mebibyte = btoa('x'.repeat(maxMessageBytes))
    const fits = Math.floor(maxPendingBytesPerClient / maxMessageBytes)
    for (let i = 0; i < fits; i++) await asApp.send({ method: 'send', peerId: bob, bytes: mebibyte, ttlMs: 30 * 24 * 3600_000 })
    await expect(asApp.send({ method: 'send', peerId: bob, bytes: mebibyte }))
      .rejects.toMatchObject({ name: 'ResourceLimitError', data: { limitType: 'client-pending-bytes', limit: maxPendingBytesPerClient, current: (fits + 1) * maxMessageBytes } })
    expect((await handlers.send({ method: 'send', peerId: bob, bytes: mebibyte })).state).toBe('queued')
  })

  it('caps a client\'s time to live at the user\'s, so its messages fail as expired when the user\'s would', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    await handlers.setLimits({ method: 'setLimits', limits: { messageTtlMs: 60_000 } })
    await makeClientHandlers(w, app).send({ method: 'send', peerId: bob, text: 'for a month?', id: 'long', ttlMs: 30 * 24 * 3600_000 })
    await atTime(Date.now() + 61_000, async () => { await parts.outbox.expire() })
    expect(await makeClientHandlers(w, app).getMessage({ method: 'getMessage', id: 'long' }))
      .toMatchObject({ state: 'failed', error: { name: 'DeliveryFailedError', data: { reason: 'expired' } } })
    expect((await parts.store.pendingByPeer()).get(bob)).toBeUndefined()
  })

  it('registers a site\'s scripts when it is allowed, and closes its ports and scripts when revoked', async () => {
    expect(await handlers.allowClient({ method: 'allowClient', client: site })).toMatchObject({ client: site, kind: 'origin', state: 'allowed' })
    expect(registered).toEqual(['http://127.0.0.1:8123'])
    expect((await handlers.getStatus({ method: 'getStatus' })).clients).toMatchObject([{ client: site, state: 'allowed' }])
    await handlers.revokeClient({ method: 'revokeClient', client: site })
    expect(registered).toEqual([])
    expect(closed).toEqual([site])
    expect(parts.clients.allowed(site)).toBe(false)
  })

  it('shows a client only this browser\'s peer id and the contacts\' ids, names and states', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob, name: 'Bob' })
    const status = await makeClientHandlers(w, app).getStatus({ method: 'getStatus' })
    expect(status).toEqual({ peerId: parts.identity.peerId, client: app, peers: [{ peerId: bob, name: 'Bob', state: expect.any(String) }] })
  })

  it('keeps messages for a client that is not allowed, shown as waiting, and lets them expire', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    const body = new TextEncoder().encode('for the app')
    await parts.inbox.receive(bob, [{ seq: 0, id: 'x', body, channel: app, kind: 'text' }, { seq: 1, id: 'y', body, channel: OWN_CHANNEL, kind: 'text' }])
    expect(parts.clients.list()).toMatchObject([{ client: app, state: 'requested', requestedBy: 'peers', waiting: 1, attempts: 0 }])
    // Only Peerlink's own message is on the badge.
    expect(badge.at(-1)).toBe(1)
    await expireWaiting(w)
    expect(parts.clients.list()).toMatchObject([{ client: app, waiting: 1 }])
    await handlers.setLimits({ method: 'setLimits', limits: { messageTtlMs: 60_000 } })
    const later = Date.now() + 61_000
    const realNow = Date.now
    Date.now = () => later
    try {
      await expireWaiting(w)
    } finally {
      Date.now = realNow
    }
    // Nothing waits for it any more: a request only peers made leaves the list with its last message.
    expect(parts.clients.list()).toEqual([])
    expect(await handlers.getMessages({ method: 'getMessages', peerId: bob, channel: app })).toEqual([])
    expect((await handlers.getMessages({ method: 'getMessages', peerId: bob })).map(m => m.text)).toEqual(['for the app'])
  })

  it('fails a revoked client\'s pending messages, with exact counts, and the expiry pass removes only incoming ones', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    const asApp = makeClientHandlers(w, app)
    await asApp.sendMany({ method: 'sendMany', peerId: bob, messages: [{ text: 'one', id: 'a1' }, { text: 'two', id: 'a2' }] })
    await handlers.send({ method: 'send', peerId: bob, text: 'mine', id: 'p1' })
    expect((await parts.store.pendingByPeer()).get(bob)).toEqual({ messages: 3, bytes: 10 })

    await handlers.revokeClient({ method: 'revokeClient', client: app })
    // Failed, not deleted, through the same path as every other failure: the app's share is released, exactly.
    const appMessages = await handlers.getMessages({ method: 'getMessages', peerId: bob, channel: app })
    expect(appMessages.map(m => [m.id, m.state, m.error?.name, m.error?.data.reason])).toEqual([
      ['a1', 'failed', 'DeliveryFailedError', 'client-revoked'],
      ['a2', 'failed', 'DeliveryFailedError', 'client-revoked']
    ])
    expect((await parts.store.pendingByPeer()).get(bob)).toEqual({ messages: 1, bytes: 4 })

    // A peer's message for the app waits; once past the time to live, only that incoming message goes.
    await parts.inbox.receive(bob, [{ seq: 0, id: 'x', body: new TextEncoder().encode('for the app'), channel: app, kind: 'text' }])
    expect(parts.clients.list()).toMatchObject([{ client: app, state: 'requested', waiting: 1 }])
    await handlers.setLimits({ method: 'setLimits', limits: { messageTtlMs: 60_000 } })
    await atTime(Date.now() + 61_000, async () => { await expireWaiting(w) })
    expect((await handlers.getMessages({ method: 'getMessages', peerId: bob, channel: app })).map(m => [m.id, m.direction, m.state])).toEqual([
      ['a1', 'out', 'failed'], ['a2', 'out', 'failed']
    ])
    expect(parts.clients.list()).toEqual([])
    expect((await parts.store.pendingByPeer()).get(bob)).toEqual({ messages: 1, bytes: 4 })
  })

  it('fails the pending messages of a client no longer on the list at the next expiry pass (revoked by a worker that stopped half way)', async () => {
    await handlers.addPeer({ method: 'addPeer', peerId: bob })
    await handlers.allowClient({ method: 'allowClient', client: app })
    await makeClientHandlers(w, app).send({ method: 'send', peerId: bob, text: 'orphan', id: 'o1' })
    // The list changed, and the worker stopped before anything else happened.
    await parts.clients.remove(app)
    await expireWaiting(w)
    const [orphan] = await handlers.getMessages({ method: 'getMessages', peerId: bob, channel: app })
    expect(orphan).toMatchObject({ id: 'o1', state: 'failed', error: { name: 'DeliveryFailedError', data: { reason: 'client-revoked' } } })
    expect((await parts.store.pendingByPeer()).get(bob)).toBeUndefined()
  })
})

/** Runs `during` with `Date.now()` answering `at`. */
async function atTime (at: number, during: () => Promise<void>): Promise<void> {
  const realNow = Date.now
  Date.now = () => at
  try {
    await during()
  } finally {
    Date.now = realNow
  }
}

describe('contacts let in by "accept anyone"', () => {
  const helloFrom = (firstSeq: number): Parameters<Parts['outbox']['onHello']>[1] =>
    ({ incarnation: 'cd'.repeat(16), peerIncarnation: null, nextExpectedSeq: 0, firstSeq, maxMessageBytes: 1024, inactivityTimeoutMs: 120_000, addresses: [] })

  it('counts a stranger that only said HELLO as no conversation: with the list full, the user\'s next contact takes its place', async () => {
    const [stranger, newcomer, ...mine] = await Promise.all(Array.from({ length: MAX_PEERS + 1 }, newPeerId))
    await makeWorkerApi(async () => w).unknownPeerAccepted(stranger!)
    for (const peerId of mine) await parts.contacts.add(peerId)
    // It says it holds messages from number 1 on; nothing was ever stored here.
    await parts.outbox.onHello(stranger!, helloFrom(1))
    expect((await parts.contacts.list()).length).toBe(MAX_PEERS)
    expect(await handlers.addPeer({ method: 'addPeer', peerId: newcomer!, name: 'New' })).toMatchObject({ peerId: newcomer, name: 'New' })
    const ids = new Set((await parts.contacts.list()).map(c => c.peerId))
    expect(ids.has(newcomer!)).toBe(true)
    expect(ids.has(stranger!)).toBe(false)
  })

  it('lets strangers in up to a cap of their own: past it the oldest without a stored message makes room, else the stranger is refused', async () => {
    const api = makeWorkerApi(async () => w)
    const strangers = await Promise.all(Array.from({ length: MAX_AUTO_ACCEPTED_PEERS + 2 }, newPeerId))
    const first = strangers[0]!
    const sayHi = async (peerId: string): Promise<void> => {
      await parts.outbox.onHello(peerId, helloFrom(0))
      await parts.inbox.receive(peerId, [{ seq: 0, id: 'hi', body: new TextEncoder().encode('hi'), channel: OWN_CHANNEL, kind: 'text' }])
    }
    for (const [i, peerId] of strangers.slice(0, MAX_AUTO_ACCEPTED_PEERS).entries()) {
      await api.unknownPeerAccepted(peerId)
      // Every stranger but the first sent a message, which is stored.
      if (i > 0) await sayHi(peerId)
    }
    const last = strangers[MAX_AUTO_ACCEPTED_PEERS]!
    await api.unknownPeerAccepted(last)
    const ids = new Set((await parts.contacts.list()).map(c => c.peerId))
    expect(ids.has(first)).toBe(false)
    expect(ids.has(last)).toBe(true)
    await sayHi(last)
    // Now every stranger has a conversation: the next is refused (its stream is aborted), and the user still adds contacts.
    const refused = await api.unknownPeerAccepted(strangers[MAX_AUTO_ACCEPTED_PEERS + 1]!).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ResourceLimitError)
    expect((refused as ResourceLimitError).data).toEqual({ limitType: 'auto-accepted-peers', limit: MAX_AUTO_ACCEPTED_PEERS, current: MAX_AUTO_ACCEPTED_PEERS + 1 })
    expect((await parts.contacts.list()).length).toBe(MAX_AUTO_ACCEPTED_PEERS)
    await handlers.addPeer({ method: 'addPeer', peerId: bob, name: 'Bob' })
    expect((await parts.contacts.list()).length).toBe(MAX_AUTO_ACCEPTED_PEERS + 1)
  })
})

/** Lets the real reconnector dial Bob until it gives up: every dial fails with the same permanent error. */
async function givenUp (): Promise<boolean> {
  parts.reconnector.want(bob)
  for (let waited = 0; waited < 5_000 && !parts.reconnector.view(bob).gaveUp; waited += 20) await new Promise(resolve => setTimeout(resolve, 20))
  return parts.reconnector.view(bob).gaveUp
}

describe('API handlers: ICE servers and contact cards', () => {
  const relay = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${relayId}`
  const bobsCard = formatContactCard({ peerId: bob, addresses: [`${relay}/p2p-circuit/p2p/${bob}`] })

  it('sets ICE servers, applies them to the node at once, and shows them without credentials', async () => {
    const status = await handlers.setIceServers({ method: 'setIceServers', iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'secret' }] })
    expect(atNode.calls).toContain('start')
    expect(status.iceServers).toEqual([{ urls: ['turn:127.0.0.1:3478'], source: 'user' }])
    expect(JSON.stringify(status)).not.toContain('secret')
    // Peerlink's own options page reads them back whole, to edit them.
    expect(await handlers.getIceServers({ method: 'getIceServers' })).toEqual([{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'secret' }])
  })

  it('refuses bad ICE servers, naming the field, and changes nothing', async () => {
    await handlers.setIceServers({ method: 'setIceServers', iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })
    atNode.calls = []
    const err = await handlers.setIceServers({ method: 'setIceServers', iceServers: [{ urls: 'stun:ok.example' }, { urls: ['ftp://x'] }] }).catch((e: unknown) => e)
    expect((err as ValidationError).data.field).toBe('iceServers.1.urls.0')
    expect(atNode.calls).not.toContain('start')
    expect((await handlers.getStatus({ method: 'getStatus' })).iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'], source: 'user' }])
  })

  it('adds a contact from its card, with its addresses, and gives a newcomer the card\'s relay', async () => {
    const view = await handlers.addPeer({ method: 'addPeer', card: bobsCard, name: 'Bob' })
    expect(view).toMatchObject({ peerId: bob, name: 'Bob' })
    expect((await parts.contacts.get(bob)).addresses).toEqual([`${relay}/p2p-circuit/p2p/${bob}`])
    expect(parts.settings.current.relays).toEqual([relay])
  })

  it('leaves the relays of someone who has one alone', async () => {
    const mine = `/ip4/127.0.0.1/tcp/9999/ws/p2p/${otherRelayId}`
    await handlers.setRelays({ method: 'setRelays', relays: [mine] })
    await handlers.addPeer({ method: 'addPeer', card: bobsCard })
    expect(parts.settings.current.relays).toEqual([mine])
  })

  it('refuses a malformed card, or foreign or too many addresses, and changes nothing', async () => {
    const card = await handlers.addPeer({ method: 'addPeer', card: `peerlink:${bob}?a=/ip4/1.2.3.4` }).catch((e: unknown) => e)
    expect((card as ValidationError).data.field).toBe('addresses.0')
    const foreign = await handlers.addPeer({ method: 'addPeer', peerId: bob, addresses: [`${relay}/p2p-circuit/p2p/${stranger}`] }).catch((e: unknown) => e)
    expect((foreign as ValidationError).data.field).toBe('addresses.0')
    const many = await handlers.addPeer({ method: 'addPeer', peerId: bob, addresses: Array.from({ length: 9 }, () => `${relay}/p2p-circuit/p2p/${bob}`) }).catch((e: unknown) => e)
    expect((many as ResourceLimitError).data.limitType).toBe('contact-addresses')
    const mismatch = await handlers.addPeer({ method: 'addPeer', card: bobsCard, peerId: stranger }).catch((e: unknown) => e)
    expect(mismatch).toBeInstanceOf(ValidationError)
    expect(await parts.contacts.list()).toEqual([])
    expect(parts.settings.current.relays).toEqual([])
  })
})
