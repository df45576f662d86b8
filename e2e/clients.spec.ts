import { rmSync } from 'node:fs'
import type { Page } from '@playwright/test'
import type { ClientId } from '../src/api/protocol.ts'
import { MAX_CLIENT_REQUESTS_PER_SECOND, MAX_EVENT_PORTS_PER_CLIENT } from '../src/common/constants.ts'
import { NotAuthorizedError, PeerlinkError, ResourceLimitError, ValidationError } from '../src/common/errors/index.ts'
import { expect, makePair, test as base, type Pair } from './fixtures.ts'
import { ClientPage, makeClientExtension, type ClientExtension } from './support/client-extension.ts'
import { keepStoppingWorker, numbered, sendNumbered } from './support/exchange.ts'
import type { ExtensionProfile } from './support/extension-profile.ts'
import { SiteServer } from './support/site-server.ts'
import { sendFromPage, useBridgeFromSandbox, type Evaluate } from './support/sandboxed-page.ts'
import type { PagePeerlink } from '../src/site/page-api.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'

/** Two apps other than Peerlink, each one extension loaded in both browsers: the same app on both sides has the same client id. */
interface Apps {
  chat: ClientExtension
  notes: ClientExtension
}

/** Alice and Bob with both apps loaded beside Peerlink, and each app's page open in each browser. */
interface ClientsPair extends Pair {
  chatAtAlice: ClientPage
  chatAtBob: ClientPage
  notesAtAlice: ClientPage
  notesAtBob: ClientPage
}

const test = base.extend<{ pair: ClientsPair }, { apps: Apps }>({
  apps: [async ({}, use) => {
    const apps = { chat: makeClientExtension('chat'), notes: makeClientExtension('notes') }
    await use(apps)
    for (const app of Object.values(apps)) rmSync(app.dir, { recursive: true, force: true })
  }, { scope: 'worker' }],
  pair: async ({ relay, apps }, use) => {
    const pair = await makePair(relay, { extraExtensions: [apps.chat.dir, apps.notes.dir] })
    const [chatAtAlice, chatAtBob, notesAtAlice, notesAtBob] = await Promise.all([
      ClientPage.openInChromium(pair.alice, apps.chat), ClientPage.openInChromium(pair.bob, apps.chat),
      ClientPage.openInChromium(pair.alice, apps.notes), ClientPage.openInChromium(pair.bob, apps.notes)
    ])
    await use({ ...pair, chatAtAlice, chatAtBob, notesAtAlice, notesAtBob })
    await Promise.all([pair.alice.close(), pair.bob.close()])
  }
})

/** What `promise` rejected with; fails the test if it resolved. */
async function rejection (promise: Promise<unknown>): Promise<unknown> {
  return await promise.then((value) => { throw new Error(`expected a refusal, got ${JSON.stringify(value)}`) }, (err: unknown) => err)
}

/** The user allows `client` in Peerlink (its own pages' API, as the popup's Allow button calls it). */
async function allow (profile: PeerlinkProfile, client: ClientId): Promise<void> {
  const view = await profile.api({ method: 'allowClient', client })
  expect(view).toMatchObject({ client, state: 'allowed' })
}

/** Waits until the app's events subscription is open and Peerlink has said `subscribed` on it `times` times. */
async function waitSubscribed (app: ClientPage, times = 1): Promise<void> {
  try {
    await expect.poll(async () => {
      const log = await app.log()
      return log.subscribed && log.events.filter(e => e.type === 'subscribed').length >= times
    }, { message: `${app.profile}: ${app.client} subscribed ${times} time(s)` }).toBe(true)
  } catch (err) {
    // What the app saw of its port (opened, closed, refused and why) says which side let it down.
    const { events, opened, closed, refused, subscribed } = await app.log()
    throw new Error(`${(err as Error).message}\nthe app's port: ${JSON.stringify({ subscribed, opened, closed, refused, events: events.filter(e => e.type !== 'status' && e.type !== 'messages') })}`, { cause: err })
  }
}

/** The list of apps (other extensions, sites) in Peerlink's popup. */
function clientsPanel (popup: Page): ReturnType<Page['getByRole']> {
  return popup.getByRole('list', { name: 'Apps using Peerlink' })
}

test('an extension Peerlink does not know is refused, listed as a request in its status and popup, and its subscription is refused and closed', async ({ pair }) => {
  const { alice, bob, bobId, aliceId, chatAtAlice } = pair
  const extensionId = chatAtAlice.client.slice('extension:'.length)

  const first = await rejection(chatAtAlice.api({ method: 'getStatus' }))
  expect(first).toBeInstanceOf(NotAuthorizedError)
  expect((first as NotAuthorizedError).data).toEqual({ client: chatAtAlice.client, reason: 'not-allowed' })
  // A send is refused the same way, and nothing leaves the browser.
  const send = await rejection(chatAtAlice.api({ method: 'send', peerId: bobId, text: 'may I?', id: 'may-i' }))
  expect((send as NotAuthorizedError).data).toEqual({ client: chatAtAlice.client, reason: 'not-allowed' })

  const status = await alice.status()
  const listed = status.clients.find(c => c.client === chatAtAlice.client)
  expect(listed).toMatchObject({ client: chatAtAlice.client, kind: 'extension', state: 'requested', requestedBy: 'client', attempts: 2, waiting: 0 })
  expect(listed!.lastAt).toBeGreaterThanOrEqual(listed!.firstAt)
  expect(status.peers.find(p => p.peerId === bobId)?.pending.messages).toBe(0)
  expect((await bob.messages(aliceId)).some(m => m.text === 'may I?')).toBe(false)

  // The user sees the request in the popup, naming the extension.
  const popup = await alice.open('popup/popup.html')
  await expect(clientsPanel(popup)).toContainText(extensionId)
  await expect(popup.getByText(extensionId)).toBeVisible()

  // Its events port gets the refusal, then is closed.
  await chatAtAlice.subscribe()
  await expect.poll(async () => { const log = await chatAtAlice.log(); return [log.refused, log.closed, log.subscribed] }).toEqual([1, 1, false])
  const [refusal] = (await chatAtAlice.log()).events
  expect(refusal).toMatchObject({ type: 'refused', error: { name: 'NotAuthorizedError', data: { client: chatAtAlice.client, reason: 'not-allowed' } } })

  // The user refuses it in the popup: the request leaves the list and the extension stays refused;
  // asking again lists it again, for the user to decide.
  await clientsPanel(popup).getByRole('listitem').filter({ hasText: extensionId }).getByRole('button', { name: 'Refuse' }).click()
  await expect.poll(async () => (await alice.status()).clients.some(c => c.client === chatAtAlice.client)).toBe(false)
  // With no app left the panel hides, so the name is looked for anywhere in the popup.
  await expect(popup.getByText(extensionId)).toBeHidden()
  const again = await rejection(chatAtAlice.api({ method: 'getStatus' }))
  expect((again as NotAuthorizedError).data).toEqual({ client: chatAtAlice.client, reason: 'not-allowed' })
  expect((await alice.status()).clients.find(c => c.client === chatAtAlice.client)).toMatchObject({ state: 'requested', attempts: 1 })
})

test('once allowed, an extension messages the same extension in the peer\'s browser, on its own channel; Peerlink\'s own conversation never shows it', async ({ pair }) => {
  const { alice, bob, aliceId, bobId, chatAtAlice, chatAtBob, notesAtBob } = pair

  // Alice allows the chat app from her popup: it shows as a request, with a button to allow it.
  await rejection(chatAtAlice.api({ method: 'getStatus' }))
  const popup = await alice.open('popup/popup.html')
  const request = clientsPanel(popup).getByRole('listitem').filter({ hasText: chatAtAlice.client.slice('extension:'.length) })
  await request.getByRole('button', { name: 'Allow' }).click()
  await expect.poll(async () => (await alice.status()).clients.find(c => c.client === chatAtAlice.client)?.state).toBe('allowed')

  // What the app sees of Peerlink: this browser's peer id and the contacts' ids, names and states; nothing else.
  const seen = await chatAtAlice.api({ method: 'getStatus' })
  expect(Object.keys(seen).sort()).toEqual(['client', 'peerId', 'peers'])
  expect(seen).toMatchObject({ peerId: aliceId, client: chatAtAlice.client, peers: [{ peerId: bobId, name: 'Bob' }] })
  expect(Object.keys(seen.peers[0]!).sort()).toEqual(['name', 'peerId', 'state'])

  // Bob has not allowed the chat app: the message waits in his Peerlink, not shown to anyone.
  const sent = await chatAtAlice.api({ method: 'send', peerId: bobId, text: 'hello from the chat app', id: 'chat-1' })
  expect(sent).toMatchObject({ id: 'chat-1' })
  await expect.poll(async () => (await bob.status()).clients.find(c => c.client === chatAtBob.client)?.waiting, { message: 'the message waits for the chat app at Bob' }).toBe(1)
  expect((await bob.messages(aliceId)).some(m => m.text === 'hello from the chat app')).toBe(false)
  // Bob's popup lists it as an app his contacts sent messages for, which has not asked on his browser.
  const namedByPeers = clientsPanel(await bob.open('popup/popup.html')).getByRole('listitem').filter({ hasText: chatAtBob.client.slice('extension:'.length) })
  await expect(namedByPeers).toContainText('has not asked on this browser: your contacts sent messages for it · 1 messages from contacts wait for it')
  expect((await bob.status()).clients.find(c => c.client === chatAtBob.client)).toMatchObject({ state: 'requested', requestedBy: 'peers', attempts: 0 })
  expect(await rejection(chatAtBob.api({ method: 'getMessages', peerId: aliceId }))).toBeInstanceOf(NotAuthorizedError)
  // The app asking on Bob's browser makes it a request of its own.
  await expect(namedByPeers).toContainText('asks to use Peerlink on this browser · 1 attempts')

  // Bob allows it; the app reads what waited, on its channel, and gets what comes next as events.
  await allow(bob, chatAtBob.client)
  await chatAtBob.subscribe()
  await waitSubscribed(chatAtBob)
  const waited = (await chatAtBob.api({ method: 'getMessages', peerId: aliceId })).filter(m => m.direction === 'in')
  expect(waited.map(m => [m.text, m.channel, m.kind, m.state])).toEqual([['hello from the chat app', chatAtAlice.client, 'text', 'received']])
  expect((await chatAtAlice.api({ method: 'awaitDelivery', id: 'chat-1', timeoutMs: 20_000 })).state).toBe('delivered')

  await chatAtAlice.api({ method: 'send', peerId: bobId, text: 'and a second one', id: 'chat-2', awaitDelivery: true })
  await expect.poll(async () => (await chatAtBob.received(aliceId)).map(m => [m.text, m.channel])).toContainEqual(['and a second one', chatAtBob.client])
  // Another app at Bob, allowed too, sees nothing of the chat app's conversation.
  await allow(bob, notesAtBob.client)
  expect(await notesAtBob.api({ method: 'getMessages', peerId: aliceId })).toEqual([])

  // Peerlink's own conversation: a message Alice writes in her popup shows in Bob's; the app's never do.
  await alice.api({ method: 'send', peerId: bobId, text: 'a message between people', awaitDelivery: true })
  const bobPopup = await bob.open('popup/popup.html')
  await bobPopup.getByRole('button', { name: /Alice/ }).click()
  const log = bobPopup.getByRole('log', { name: 'Messages' })
  await expect(log).toContainText('a message between people')
  await expect(log).not.toContainText('hello from the chat app')
  await expect(log).not.toContainText('and a second one')
  // Bob can read the chat app's channel from his clients panel, read-only: its messages, no box to write in.
  const chatRow = clientsPanel(bobPopup).getByRole('listitem').filter({ hasText: chatAtBob.client.slice('extension:'.length) })
  await chatRow.getByRole('button', { name: 'Messages', exact: true }).click()
  const channel = bobPopup.getByRole('list', { name: /Messages of/ })
  await expect(channel).toContainText('hello from the chat app')
  await expect(channel).toContainText('and a second one')
  await expect(channel).toContainText('From Alice')
  await expect(channel).not.toContainText('a message between people')
  await expect(bobPopup.locator('#channel-view textarea, #channel-view input')).toHaveCount(0)
  await chatRow.getByRole('button', { name: 'Hide messages' }).click()
  await expect(channel).toBeHidden()
  expect((await bob.messages(aliceId)).map(m => m.text)).toEqual(['a message between people'])
  expect((await alice.messages(bobId)).map(m => m.text)).toEqual(['a message between people'])
  // Peerlink's own pages may read the app's channel when they ask for it.
  expect((await bob.api({ method: 'getMessages', peerId: aliceId, channel: chatAtBob.client })).map(m => m.text)).toEqual(['hello from the chat app', 'and a second one'])
})

test('an allowed extension cannot call what only Peerlink\'s pages may; revoked, it is refused again and its events port closes at once', async ({ pair }) => {
  const { alice, bobId, chatAtAlice } = pair
  await rejection(chatAtAlice.api({ method: 'getStatus' }))
  await allow(alice, chatAtAlice.client)
  await chatAtAlice.subscribe()
  await waitSubscribed(chatAtAlice)
  const identityBefore = (await alice.status()).peerId

  const forbidden: Array<{ method: string, [field: string]: unknown }> = [
    { method: 'exportIdentity' },
    { method: 'importIdentity', privateKey: 'CAESQ...' },
    { method: 'setRelays', relays: [] },
    { method: 'setIceServers', iceServers: [] },
    { method: 'setLimits', limits: { maxMessageBytes: 1 } },
    { method: 'resetLimits' },
    { method: 'setAcceptUnknownPeers', accept: true },
    { method: 'allowClient', client: 'extension:abcdefghijklmnopabcdefghijklmnop' },
    { method: 'revokeClient', client: chatAtAlice.client },
    { method: 'addPeer', peerId: '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE' },
    { method: 'removePeer', peerId: bobId },
    { method: 'diagnostics' }
  ]
  for (const request of forbidden) {
    const err = await rejection(chatAtAlice.call(request))
    expect(err, request.method).toBeInstanceOf(NotAuthorizedError)
    expect((err as NotAuthorizedError).data, request.method).toMatchObject({ client: chatAtAlice.client, reason: 'method', method: request.method })
  }
  // None of them did anything.
  const after = await alice.status()
  expect(after.peerId).toBe(identityBefore)
  expect(after.relays).toHaveLength(1)
  expect(after.peers.map(p => p.peerId)).toEqual([bobId])
  expect(after.clients.find(c => c.client === chatAtAlice.client)?.state).toBe('allowed')

  // The user revokes it: the open port gets the refusal and is closed, and every request is refused.
  await alice.api({ method: 'revokeClient', client: chatAtAlice.client })
  await expect.poll(async () => { const log = await chatAtAlice.log(); return [log.refused, log.subscribed] }).toEqual([1, false])
  expect((await chatAtAlice.log()).events.at(-1)).toMatchObject({ type: 'refused', error: { name: 'NotAuthorizedError' } })
  const refused = await rejection(chatAtAlice.api({ method: 'getStatus' }))
  expect((refused as NotAuthorizedError).data).toEqual({ client: chatAtAlice.client, reason: 'not-allowed' })
  expect((await rejection(chatAtAlice.api({ method: 'send', peerId: bobId, text: 'after revocation' }))) ).toBeInstanceOf(NotAuthorizedError)
  // Asking again makes it a request again, for the user to decide.
  expect((await alice.status()).clients.find(c => c.client === chatAtAlice.client)?.state).toBe('requested')
  // And a new subscription is refused at once.
  await chatAtAlice.subscribe()
  await expect.poll(async () => (await chatAtAlice.log()).refused).toBe(2)
})

test('events ports count against a client\'s request rate, and an allowed client holds a bounded number of them', async ({ pair }) => {
  const { alice, chatAtAlice, notesAtAlice } = pair
  // An extension never allowed opens ports in a loop: beyond the request rate it is refused for that, typed,
  // and only what the rate let through is counted as asking (each a rewrite of the clients list).
  const flood = 3 * MAX_CLIENT_REQUESTS_PER_SECOND
  const loop = await chatAtAlice.openExtraPorts(flood)
  expect(loop.subscribed).toBe(0)
  expect(loop.refused).toHaveLength(flood)
  const byRate = loop.refused.filter(e => e.name === 'ResourceLimitError')
  const notAllowed = loop.refused.filter(e => e.name === 'NotAuthorizedError')
  expect(byRate.length).toBeGreaterThan(0)
  for (const error of byRate) expect(error.data).toMatchObject({ limitType: 'client-requests-per-second', limit: MAX_CLIENT_REQUESTS_PER_SECOND })
  expect(byRate.length + notAllowed.length).toBe(flood)
  expect((await alice.status()).clients.find(c => c.client === chatAtAlice.client)?.attempts).toBe(notAllowed.length)

  // An allowed client may hold a bounded number of ports; past it each new one is refused, naming the limit.
  await rejection(notesAtAlice.api({ method: 'getStatus' }))
  await allow(alice, notesAtAlice.client)
  const many = await notesAtAlice.openExtraPorts(3 * MAX_EVENT_PORTS_PER_CLIENT)
  expect(many.subscribed).toBe(MAX_EVENT_PORTS_PER_CLIENT)
  expect(many.refused).toHaveLength(2 * MAX_EVENT_PORTS_PER_CLIENT)
  for (const error of many.refused) expect(error).toMatchObject({ name: 'ResourceLimitError', data: { limitType: 'client-ports', limit: MAX_EVENT_PORTS_PER_CLIENT, current: MAX_EVENT_PORTS_PER_CLIENT + 1 } })
  // A port closed makes room for one more, and no more.
  await notesAtAlice.closeExtraPorts(1)
  await expect.poll(async () => (await notesAtAlice.openExtraPorts(1)).subscribed, { message: 'a port again once one closed' }).toBe(1)
  expect(await notesAtAlice.openExtraPorts(1)).toMatchObject({ subscribed: 0, refused: [{ data: { limitType: 'client-ports' } }] })
  // The other extension is served all along; the flooding one, once allowed, as soon as the second of its
  // flood is over (all of the above can run within that second, and its rate still counts against it then).
  await allow(alice, chatAtAlice.client)
  await new Promise(resolve => setTimeout(resolve, 1_100))
  await chatAtAlice.subscribe()
  await waitSubscribed(chatAtAlice)
})

test('bytes round-trip between the same extension in two browsers: every byte value, reported as bytes, sized by the decoded bytes', async ({ pair }) => {
  const { alice, bob, aliceId, bobId, chatAtAlice, chatAtBob } = pair
  await Promise.all([rejection(chatAtAlice.api({ method: 'getStatus' })), rejection(chatAtBob.api({ method: 'getStatus' }))])
  await Promise.all([allow(alice, chatAtAlice.client), allow(bob, chatAtBob.client)])
  await chatAtBob.subscribe()
  await waitSubscribed(chatAtBob)

  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('base64')
  const large = Buffer.alloc(64 * 1024, 0xa5).toString('base64')
  await chatAtAlice.api({ method: 'send', peerId: bobId, bytes: everyByte, id: 'bytes-1', awaitDelivery: true })
  await chatAtAlice.api({ method: 'sendMany', peerId: bobId, messages: [{ text: 'text between bytes', id: 'mixed-1' }, { bytes: large, id: 'bytes-2' }] })
  await expect.poll(async () => (await chatAtBob.received(aliceId)).length).toBe(3)

  // Compared as facts, not printed: a failure should not dump 64 KiB of base64.
  const received = await chatAtBob.api({ method: 'getMessages', peerId: aliceId })
  const facts = (m: { kind: string, bytes: number, data?: string, text: string }): unknown[] => [m.kind, m.bytes, m.data === everyByte ? 'every byte' : m.data === large ? 'large' : m.data ?? null, m.text]
  expect(received.map(facts)).toEqual([
    ['bytes', 256, 'every byte', ''],
    ['text', 'text between bytes'.length, null, 'text between bytes'],
    ['bytes', 64 * 1024, 'large', '']
  ])
  expect((await chatAtBob.received(aliceId)).map(m => [m.kind, m.data === everyByte ? 'every byte' : m.data === large ? 'large' : m.data ?? null])).toEqual([['bytes', 'every byte'], ['text', null], ['bytes', 'large']])
  const mine = await chatAtAlice.api({ method: 'getMessage', id: 'bytes-1' })
  expect(mine).toMatchObject({ kind: 'bytes', bytes: 256, data: everyByte, channel: chatAtAlice.client })
})

test('bad input from one extension gets typed errors and does not disturb another allowed extension', async ({ pair }) => {
  const { alice, bob, aliceId, bobId, chatAtAlice, chatAtBob, notesAtAlice, notesAtBob } = pair
  for (const app of [chatAtAlice, notesAtAlice, chatAtBob, notesAtBob]) await rejection(app.api({ method: 'getStatus' }))
  await Promise.all([allow(alice, notesAtAlice.client), allow(bob, notesAtBob.client), allow(bob, chatAtBob.client)])
  const notesSendsOne = async (text: string): Promise<void> => {
    await notesAtAlice.api({ method: 'send', peerId: bobId, text, id: text, awaitDelivery: true })
  }
  await notesSendsOne('notes-before')

  // Forged sender fields in the body of a refused extension's request: it stays the extension the browser says it is.
  const forged = await rejection(chatAtAlice.call({ method: 'getStatus' }, { sender: { id: notesAtAlice.client.slice('extension:'.length) }, client: notesAtAlice.client, origin: 'http://127.0.0.1' }))
  const forgedSend = await rejection(chatAtAlice.call({ method: 'send', peerId: bobId, text: 'forged', id: 'forged-1', channel: notesAtAlice.client, client: notesAtAlice.client }, { sender: { id: notesAtAlice.client.slice('extension:'.length) } }))
  for (const err of [forged, forgedSend]) {
    // Refused as itself, the extension the browser names (not yet allowed): never served as the app it named.
    expect(err).toBeInstanceOf(NotAuthorizedError)
    expect((err as NotAuthorizedError).data).toEqual({ client: chatAtAlice.client, reason: 'not-allowed' })
  }

  // Allowed, its forged fields still cannot put a message on another app's channel: a send has no
  // channel field, so the forged one is dropped and the message goes on its own channel.
  await allow(alice, chatAtAlice.client)
  await chatAtAlice.call({ method: 'send', peerId: bobId, text: 'forged channel', id: 'forged-2', channel: notesAtAlice.client }, { sender: { id: 'x' }, client: notesAtAlice.client })
  await expect.poll(async () => (await chatAtBob.api({ method: 'getMessages', peerId: aliceId })).map(m => [m.text, m.channel])).toContainEqual(['forged channel', chatAtBob.client])
  expect((await notesAtBob.api({ method: 'getMessages', peerId: aliceId })).map(m => m.text)).toEqual(['notes-before'])

  // Oversize bytes are counted decoded, and refused before anything is stored.
  const limit = 1024 * 1024
  const oversize = await rejection(chatAtAlice.api({ method: 'send', peerId: bobId, bytes: Buffer.alloc(limit + 1).toString('base64'), id: 'oversize' }))
  expect(oversize).toBeInstanceOf(ResourceLimitError)
  expect((oversize as ResourceLimitError).data).toEqual({ limitType: 'message-bytes', limit, current: limit + 1 })
  // Exactly the limit fits, although its base64 is a third longer than the limit.
  await chatAtAlice.api({ method: 'send', peerId: bobId, bytes: Buffer.alloc(limit, 1).toString('base64'), id: 'at-the-limit' })

  // Invalid base64, and a payload that is neither or both.
  for (const bad of [
    { method: 'send', peerId: bobId, bytes: 'not base64 at all!', id: 'bad-1' },
    { method: 'send', peerId: bobId, bytes: 'QUJD=', id: 'bad-2' },
    { method: 'send', peerId: bobId, bytes: 12345, id: 'bad-3' },
    { method: 'send', peerId: bobId, text: 'both', bytes: 'QUJD', id: 'bad-4' },
    { method: 'send', peerId: bobId, id: 'bad-5' },
    { method: 'sendMany', peerId: bobId, messages: [{ text: 'fine' }, { bytes: '***' }] }
  ]) {
    expect(await rejection(chatAtAlice.call(bad)), JSON.stringify(bad).slice(0, 80)).toBeInstanceOf(ValidationError)
  }
  for (const id of ['oversize', 'bad-1', 'bad-2', 'bad-3', 'bad-4', 'bad-5']) {
    expect(await rejection(chatAtAlice.api({ method: 'getMessage', id })), id).toBeInstanceOf(PeerlinkError)
  }

  // Another client's channel, Peerlink's own, or one nobody has: refused, naming the reason.
  for (const channel of [notesAtAlice.client, 'peerlink', 'extension:abcdefghijklmnopabcdefghijklmnop', 'origin:http://127.0.0.1:8080']) {
    const err = await rejection(chatAtAlice.call({ method: 'getMessages', peerId: bobId, channel }))
    expect(err, channel).toBeInstanceOf(NotAuthorizedError)
    expect((err as NotAuthorizedError).data, channel).toMatchObject({ client: chatAtAlice.client, reason: 'channel' })
  }
  // Its own channel by name is fine.
  expect((await chatAtAlice.call({ method: 'getMessages', peerId: bobId, channel: chatAtAlice.client }) as unknown[]).length).toBeGreaterThan(0)

  // A flood: far more requests in a second than one client may make. The excess is refused, typed.
  const flood = await chatAtAlice.flood({ method: 'getStatus' }, 3 * MAX_CLIENT_REQUESTS_PER_SECOND)
  expect(flood.ok).toBeGreaterThan(0)
  expect(flood.refused.length).toBeGreaterThan(0)
  expect(flood.refused.length + flood.ok).toBe(3 * MAX_CLIENT_REQUESTS_PER_SECOND)
  for (const error of flood.refused) {
    expect(error).toMatchObject({ name: 'ResourceLimitError', data: { limitType: 'client-requests-per-second', limit: MAX_CLIENT_REQUESTS_PER_SECOND } })
  }

  // The other app was never disturbed: it sends, and its peer's app has exactly its messages.
  await notesSendsOne('notes-after')
  expect((await notesAtBob.api({ method: 'getMessages', peerId: aliceId })).map(m => [m.text, m.channel])).toEqual([['notes-before', notesAtBob.client], ['notes-after', notesAtBob.client]])
  // Nor Peerlink's own pages.
  expect((await alice.api({ method: 'send', peerId: bobId, text: 'Peerlink itself', awaitDelivery: true })).state).toBe('delivered')
  // And a second later the flooding app is served again.
  await expect.poll(async () => await chatAtAlice.api({ method: 'getStatus' }).then(() => true, () => false), { timeout: 5_000 }).toBe(true)
})

test('the worker stopped again and again during an exchange between two extensions: nothing lost, in order, and the subscription comes back by itself', async ({ pair }) => {
  test.setTimeout(240_000)
  const { alice, bob, aliceId, bobId, chatAtAlice, chatAtBob } = pair
  const count = 300
  await Promise.all([rejection(chatAtAlice.api({ method: 'getStatus' })), rejection(chatAtBob.api({ method: 'getStatus' }))])
  await Promise.all([allow(alice, chatAtAlice.client), allow(bob, chatAtBob.client)])
  await chatAtBob.subscribe()
  await waitSubscribed(chatAtBob)

  const stoppers = [keepStoppingWorker(alice, 1_000), keepStoppingWorker(bob, 1_000)]
  const send = async (text: string, id: string): Promise<unknown> => await chatAtAlice.api({ method: 'send', peerId: bobId, text, id })
  await sendNumbered(send, bobId, 'app', count)
  await expect.poll(async () => (await chatAtBob.api({ method: 'getMessages', peerId: aliceId, limit: 1000 })).filter(m => m.direction === 'in').length, { timeout: 120_000 }).toBeGreaterThanOrEqual(count)
  const stops = await Promise.all(stoppers.map(async s => await s.end()))
  console.log(`worker stops: alice ${stops[0]}, bob ${stops[1]}`)
  expect(stops[0]).toBeGreaterThan(0)
  expect(stops[1]).toBeGreaterThan(0)

  const stored = (await chatAtBob.api({ method: 'getMessages', peerId: aliceId, limit: 1000 })).filter(m => m.direction === 'in')
  expect(stored.map(m => m.text)).toEqual(numbered('app', count))
  expect(new Set(stored.map(m => m.channel))).toEqual(new Set([chatAtBob.client]))
  await expect.poll(async () => (await alice.status()).peers.find(p => p.peerId === bobId)?.pending.messages, { timeout: 60_000 }).toBe(0)
  expect((await alice.messages(bobId)).length).toBe(0)

  // The app's port closed with each stop of Bob's worker and was opened again by itself; it is open now.
  await waitSubscribed(chatAtBob, 2)
  const log = await chatAtBob.log()
  expect(log.refused).toBe(0)
  expect(log.opened).toBeGreaterThan(1)
  // Whatever arrives now is announced on it, without the app doing anything.
  await chatAtAlice.api({ method: 'send', peerId: bobId, text: 'after the stops', id: 'after-stops', awaitDelivery: true })
  await expect.poll(async () => (await chatAtBob.received(aliceId)).map(m => m.text)).toContain('after the stops')
  // What the app saw announced came in order, each once (every announcement counted, repeats included).
  const announced = (await chatAtBob.announced(aliceId)).map(m => m.text)
  expect(announced.length).toBeGreaterThan(0)
  expect(announced.length - new Set(announced).size).toBe(0)
  expect(announced).toEqual([...announced].sort((a, b) => order(a) - order(b)))
})

/** The position of a numbered text (`app-12`) in the exchange; the last message after all. */
function order (text: string): number {
  const match = /^app-(\d+)$/.exec(text)
  return match == null ? Number.MAX_SAFE_INTEGER : Number(match[1])
}

/** What a test reads from a page's `window.peerlink` subscription. */
type SeenOnPage = Array<[text: string, channel: string, kind: string]>

/**
 * The user allows `site` in `profile` the way Peerlink offers it: with the
 * site open, a click on Peerlink's toolbar button, then "Allow this site" in
 * the popup. Before that the user granted Peerlink access to the site's host
 * on Chrome's extensions page (Site access), so Chrome answers the popup's
 * permission request at once instead of showing a dialog headless Chromium
 * cannot show. Answers the site's tab, which has `window.peerlink` now.
 */
async function allowSiteFromPopup (profile: ExtensionProfile, site: SiteServer): Promise<Page> {
  await profile.grantSiteAccess(`http://${new URL(site.origin).hostname}/*`)
  const tab = await profile.context.newPage()
  await tab.goto(site.url)
  expect(await tab.evaluate(() => 'peerlink' in window)).toBe(false)
  const popup = await profile.pressToolbarButton(tab)
  await popup.waitFor('!document.getElementById("site").hidden && !document.getElementById("allow-site").hidden', '"Allow this site"')
  expect(await popup.evaluate<string>('document.getElementById("site").dataset.origin')).toBe(site.origin)
  await popup.click('#allow-site')
  await popup.waitFor('document.querySelector("#site [role=status]").textContent || document.querySelector("#site [role=alert]").textContent', 'the outcome of the click')
  expect(await popup.evaluate<string>('document.querySelector("#site [role=alert]").textContent')).toBe('')
  await tab.waitForFunction(() => 'peerlink' in window)
  return tab
}

/** Starts collecting what arrives on a page's `window.peerlink` events; read it with `seenOnPage`. */
async function watchPage (tab: Page): Promise<void> {
  await tab.evaluate(() => {
    const scope = window as unknown as { peerlink: PagePeerlink, seen: SeenOnPage }
    scope.seen = []
    scope.peerlink.subscribe((event) => {
      if (event.type !== 'messages') return
      for (const m of event.messages) if (m.direction === 'in' && !scope.seen.some(s => s[0] === m.text)) scope.seen.push([m.text, m.channel, m.kind])
    })
  })
}

async function seenOnPage (tab: Page): Promise<SeenOnPage> {
  return await tab.evaluate(() => (window as unknown as { seen: SeenOnPage }).seen)
}

const sites = base.extend<{ sitePair: Pair & { site: SiteServer, sameHost: SiteServer, elsewhere: SiteServer } }>({
  sitePair: async ({ relay }, use) => {
    // The allowed site; another port of the same host (inside the host permission the user gave); another host.
    const [site, sameHost, elsewhere] = await Promise.all([SiteServer.start('127.0.0.1'), SiteServer.start('127.0.0.1'), SiteServer.start('127.0.0.2')])
    const pair = await makePair(relay, { toolbar: true })
    await use({ ...pair, site, sameHost, elsewhere })
    await Promise.all([pair.alice.close(), pair.bob.close()])
    await Promise.all([site.stop(), sameHost.stop(), elsewhere.stop()])
  }
})

sites('a site allowed from the popup gets window.peerlink and messages the same site in the peer\'s browser; other origins get none and cannot read its channel', async ({ sitePair }) => {
  const { alice, bob, aliceId, bobId, site, sameHost, elsewhere } = sitePair
  const client = `origin:${site.origin}` as const
  const atAlice = await allowSiteFromPopup(alice, site)
  const atBob = await allowSiteFromPopup(bob, site)
  for (const profile of [alice, bob]) {
    expect((await profile.status()).clients.find(c => c.client === client)).toMatchObject({ kind: 'origin', state: 'allowed' })
  }

  // The page sees this browser's peer id and its contacts, and messages the same site at Bob's.
  const status = await atAlice.evaluate(async () => await (window as unknown as { peerlink: PagePeerlink }).peerlink.status())
  expect(status).toMatchObject({ peerId: aliceId, client, peers: [{ peerId: bobId, name: 'Bob' }] })
  await watchPage(atBob)
  await atAlice.evaluate(async (to) => {
    const { peerlink } = window as unknown as { peerlink: PagePeerlink }
    await peerlink.send(to, { text: 'hello from the site' }, { awaitDelivery: true })
    await peerlink.send(to, { bytes: new Uint8Array([0, 1, 2, 253, 254, 255]) }, { awaitDelivery: true })
  }, bobId)
  await expect.poll(async () => await seenOnPage(atBob)).toEqual([['hello from the site', client, 'text'], ['', client, 'bytes']])
  const stored = await atBob.evaluate(async (from) => await (window as unknown as { peerlink: PagePeerlink }).peerlink.messages(from), aliceId)
  expect(stored.map(m => [m.kind, m.text, m.data ?? null, m.channel])).toEqual([['text', 'hello from the site', null, client], ['bytes', '', Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64'), client]])
  // Peerlink's own conversation does not have them.
  expect(await bob.messages(aliceId)).toEqual([])

  // A new tab of the allowed site gets window.peerlink as it loads (the registered content script)...
  const reloaded = await bob.context.newPage()
  await reloaded.goto(site.url)
  await reloaded.waitForFunction(() => 'peerlink' in window)
  // ...while another port of the same host and another host, loaded after it, have none.
  for (const other of [sameHost, elsewhere]) {
    const tab = await bob.context.newPage()
    await tab.goto(other.url)
    await reloaded.bringToFront()
    expect(await reloaded.evaluate(() => 'peerlink' in window)).toBe(true)
    expect(await tab.evaluate(() => 'peerlink' in window), other.origin).toBe(false)
    expect((await bob.status()).clients.some(c => c.client === `origin:${other.origin}`)).toBe(false)
  }

  // Allowed too, another origin still reads only its own channel.
  const otherTab = await allowSiteFromPopup(bob, elsewhere)
  const refused = await otherTab.evaluate(async ([from, channel]) => {
    const { peerlink } = window as unknown as { peerlink: PagePeerlink }
    return await peerlink.request({ method: 'getMessages', peerId: from, channel }).then(() => null, (err: { name: string, data: unknown }) => ({ name: err.name, data: err.data }))
  }, [aliceId, client] as const)
  expect(refused).toMatchObject({ name: 'NotAuthorizedError', data: { client: `origin:${elsewhere.origin}`, reason: 'channel' } })
  expect(await otherTab.evaluate(async (from) => await (window as unknown as { peerlink: PagePeerlink }).peerlink.messages(from), aliceId)).toEqual([])

  // The page's requests go over one port: a stopped worker closes it, and the next request is answered on a new one.
  await alice.stopServiceWorker()
  await atAlice.evaluate(async (to) => { await (window as unknown as { peerlink: PagePeerlink }).peerlink.send(to, { text: 'after the worker stopped' }, { awaitDelivery: true }) }, bobId)
  await expect.poll(async () => (await seenOnPage(atBob)).at(-1)).toEqual(['after the worker stopped', client, 'text'])
  // Revoked, the site's open port is closed with the refusal, and what it asks next is refused.
  await alice.api({ method: 'revokeClient', client })
  const afterRevoke = await atAlice.evaluate(async () => await (window as unknown as { peerlink: PagePeerlink }).peerlink.status().then(() => null, (err: { name: string, data: unknown }) => ({ name: err.name, data: err.data })))
  expect(afterRevoke).toMatchObject({ name: 'NotAuthorizedError', data: { client, reason: 'not-allowed' } })
})

sites('a sandboxed page on an allowed site\'s URL gets no window.peerlink, and the bridge serves it nothing; the site\'s own pages are served', async ({ sitePair }) => {
  const { alice, bobId, site } = sitePair
  const client = `origin:${site.origin}` as const
  const page = await allowSiteFromPopup(alice, site)
  const onPage = (async (fn: (arg: unknown) => unknown, arg: unknown) => await page.evaluate(fn, arg)) as Evaluate
  expect(await sendFromPage(onPage, bobId, 'from the page')).toBe('delivered')

  // The same site serves a page sandboxed: same URL, opaque origin. Its script talks to the bridge directly.
  const sandboxed = await alice.context.newPage()
  await sandboxed.goto(site.sandboxedUrl)
  const seen = await useBridgeFromSandbox((async (fn: (arg: unknown) => unknown, arg: unknown) => await sandboxed.evaluate(fn, arg)) as Evaluate, { peerId: bobId, text: 'from a sandbox', id: 'from-sandbox' })
  expect(seen.origin).toBe('null')
  expect(seen.hasPeerlink).toBe(false)
  expect(seen.fromBridge).toContain('withdrawn')
  expect(seen.fromBridge).not.toContain('ready')
  expect(seen.fromBridge).not.toContain('response')

  // The site's own page is served after it; the sandbox's message never reached Peerlink.
  expect(await sendFromPage(onPage, bobId, 'after the sandbox')).toBe('delivered')
  expect((await alice.api({ method: 'getMessages', peerId: bobId, channel: client })).map(m => m.text)).toEqual(['from the page', 'after the sandbox'])
  expect(await alice.api({ method: 'getMessage', id: 'from-sandbox', channel: client }).then(() => 'stored', (err: unknown) => (err as Error).name)).toBe('ValidationError')
})

sites('a content script on an allowed site can neither read nor write Peerlink\'s storage (the identity key, the clients, the settings); the bridge asks the worker instead', async ({ sitePair }) => {
  const { alice, bobId, site } = sitePair
  const page = await allowSiteFromPopup(alice, site)
  // Peerlink's own page runs a function in the site's tab as Peerlink's content script, where the bridge runs.
  const own = await alice.open('options/options.html')
  const seen = await own.evaluate(async (url) => {
    const [tab] = await chrome.tabs.query({ url })
    const [result] = await chrome.scripting.executeScript({
      target: { tabId: tab!.id! },
      func: async () => {
        const read = await chrome.storage.local.get(null).then(all => Object.keys(all), (err: unknown) => `refused: ${String(err)}`)
        const write = await chrome.storage.local.set({ clients: [] }).then(() => 'written', (err: unknown) => `refused: ${String(err)}`)
        return { read, write }
      }
    })
    return result!.result as { read: string[] | string, write: string }
  }, site.url)
  expect(seen.read).toMatch(/^refused: /)
  expect(seen.write).toMatch(/^refused: /)
  // Peerlink's own pages still read it, and nothing was changed.
  expect(await own.evaluate(async () => Object.keys(await chrome.storage.local.get(null)))).toContain('identity')
  expect((await alice.status()).clients.find(c => c.client === `origin:${site.origin}`)?.state).toBe('allowed')
  // The bridge learns that its origin is allowed from the worker: a new tab of the site is served.
  const again = await alice.context.newPage()
  await again.goto(site.url)
  await again.waitForFunction(() => 'peerlink' in window)
  expect(await sendFromPage((async (fn: (arg: unknown) => unknown, arg: unknown) => await again.evaluate(fn, arg)) as Evaluate, bobId, 'served')).toBe('delivered')
  await page.close()
})
