import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { OWN_CHANNEL, type MessageView } from '../src/api/protocol.ts'
import { parseContactCard } from '../src/common/wire/contact-card.ts'
import { SealedMail } from '../src/common/wire/mail.ts'
import { ClientPage, makeClientExtension } from './support/client-extension.ts'
import { MailPeer } from './support/mail-peer.ts'
import { keepStoppingWorker, numbered, sendNumbered, waitForAll } from './support/exchange.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'
import { cardOf, reserveWithMailbox, startMailRelay, waitForConversation, waitForMailbox } from './support/mailbox.ts'

/** What a message says: its text, or its bytes (base64). */
const said = (m: MessageView): string => m.kind === 'bytes' ? `bytes:${m.data}` : m.text

test('never online together: Alice writes while Bob is away, the relay is killed and restarted, Bob reads and answers while Alice is away, both conversations complete, and the relay never saw what was said', async () => {
  test.setTimeout(300_000)
  const { relay, dataDir } = await startMailRelay()
  const app = makeClientExtension('mailchat')
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const launch = async (name: 'alice' | 'bob'): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name, userDataDir: dirs[name], extraExtensions: [app.dir] })
  try {
    // Bob sets up once and hands out his card; his relay now keeps his mailbox.
    let bob = await launch('bob')
    const { card: bobCard, peerId: bobId } = await reserveWithMailbox(bob, relay.address)
    await bob.close()

    // Alice, alone: she adds Bob from his card and writes 50 messages, text and bytes, on Peerlink's channel and an app's.
    let alice = await launch('alice')
    const { card: aliceCard, peerId: aliceId } = await reserveWithMailbox(alice, relay.address)
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const appAtAlice = await ClientPage.openInChromium(alice, app)
    await alice.api({ method: 'allowClient', client: appAtAlice.client })
    const channels = [OWN_CHANNEL, appAtAlice.client]
    const sent: string[] = []
    for (let i = 0; i < 50; i++) {
      const bytes = i % 5 === 4
      const payload = bytes ? { bytes: Buffer.from(`raw ${i}`).toString('base64') } : { text: `to Bob #${i}` }
      sent.push(bytes ? `bytes:${payload.bytes}` : payload.text!)
      if (i % 3 === 2) await appAtAlice.api({ method: 'send', peerId: bobId, ...payload })
      else await alice.api({ method: 'send', peerId: bobId, ...payload })
    }
    const stored = await waitForConversation(alice, bobId, channels, ms => ms.length === 50 && ms.every(m => m.state === 'stored'), 'all 50 in Bob\'s mailbox')
    expect(stored.every(m => m.storedAt?.length === 1)).toBe(true)
    await alice.close()

    // The relay dies hard between the deposit and the fetch: what it answered for is on its disk.
    await relay.kill()
    await relay.startAgain()

    // Bob comes back: Alice's mail waits for him, as a request until he adds her from her card.
    bob = await launch('bob')
    const appAtBob = await ClientPage.openInChromium(bob, app)
    await bob.api({ method: 'allowClient', client: appAtBob.client })
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    const received = await waitForConversation(bob, aliceId, channels, ms => ms.length >= 50, 'Alice\'s 50 messages')
    expect(received.map(m => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(received.map(said)).toEqual(sent)
    expect(received.filter(m => m.channel === appAtBob.client)).toHaveLength(sent.filter((_, i) => i % 3 === 2).length)
    const answers = Array.from({ length: 20 }, (_, i) => `to Alice #${i}`)
    for (const text of answers) await bob.api({ method: 'send', peerId: aliceId, text })
    await waitForConversation(bob, aliceId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'out').length === 20 && ms.filter(m => m.direction === 'out').every(m => m.state === 'stored'), 'his 20 answers in Alice\'s mailbox')
    await bob.close()

    // Alice comes back: her 50 are delivered, and she has Bob's 20, once and in order.
    alice = await launch('alice')
    const done = await waitForConversation(alice, bobId, channels, ms => ms.filter(m => m.direction === 'out').every(m => m.state === 'delivered') && ms.filter(m => m.direction === 'in').length >= 20,
      'her 50 delivered and Bob\'s 20 answers')
    expect(done.filter(m => m.direction === 'out')).toHaveLength(50)
    expect(done.filter(m => m.direction === 'in').map(m => m.text)).toEqual(answers)
    expect((await alice.status()).counters.mailboxRejected).toBe(0)
    await alice.close()
    await relay.stop()

    // The relay saw who, how much and when; never what: no text, payload, message id or channel is in its files or its log.
    const payloads = sent.map(s => s.startsWith('bytes:') ? s.slice('bytes:'.length) : s)
    const secrets = [...payloads, ...answers, ...sent.filter(s => s.startsWith('bytes:')).map(s => Buffer.from(s.slice('bytes:'.length), 'base64').toString()),
      ...done.map(m => m.id), appAtAlice.client, appAtAlice.client.slice('extension:'.length)]
    const files = readdirSync(dataDir).map(name => readFileSync(join(dataDir, name)).toString('latin1'))
    for (const secret of secrets) {
      expect(files.some(f => f.includes(secret)), `the relay's files hold "${secret}"`).toBe(false)
      expect(relay.log.includes(secret), `the relay's log holds "${secret}"`).toBe(false)
    }
    expect(files.join('').length).toBeGreaterThan(0)
  } finally {
    await relay.stop()
    for (const dir of [...Object.values(dirs), dataDir, app.dir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})

test('mail for a browser that is online reaches it when the relay tells it; tampered, misaddressed, replayed and strangers\' envelopes are dropped and counted, and the conversation goes on', async () => {
  test.setTimeout(180_000)
  const { relay, dataDir } = await startMailRelay()
  const bob = await ExtensionProfile.launch({ name: 'bob' })
  const peers: MailPeer[] = []
  try {
    const { card: bobCard, peerId: bobId } = await reserveWithMailbox(bob, relay.address)
    const relayId = relay.address.slice(relay.address.lastIndexOf('/') + 1)
    const friend = await MailPeer.start(relay.address)
    const stranger = await MailPeer.start(relay.address)
    peers.push(friend, stranger)
    await bob.api({ method: 'addPeer', card: friend.card, name: 'Friend' })
    const texts = async (): Promise<string[]> => (await bob.messages(friend.peerId)).map(m => m.text)
    const rejected = async (): Promise<number> => (await bob.status()).counters.mailboxRejected

    expect((await friend.send(bobCard, ['first', 'second'])).stored).toEqual([relayId])
    await expect.poll(texts).toEqual(['first', 'second'])
    // Bob answers with his ack, into the friend's mailbox.
    await expect.poll(() => friend.received.some(m => m.hello.peerIncarnation === friend.incarnation && m.hello.nextExpectedSeq === 2)).toBe(true)

    // Nothing but the relay's notice makes Bob fetch now: the envelope still arrives.
    await friend.send(bobCard, ['third'], 2)
    await expect.poll(texts, { timeout: 20_000 }).toEqual(['first', 'second', 'third'])

    const card = parseContactCard(bobCard)
    const tampered = SealedMail.decode(await friend.seal(bobId, relayId, [{ type: 'message', seq: 3, id: 'tampered', body: Buffer.from('tampered'), channel: OWN_CHANNEL, kind: 'text' }]))
    tampered.ciphertext[10]! ^= 1
    await friend.depositRaw(card, SealedMail.encode(tampered))
    await expect.poll(rejected).toBe(1)
    const elsewhere = await MailPeer.start(relay.address)
    peers.push(elsewhere)
    await friend.depositRaw(card, await friend.seal(elsewhere.peerId, relayId, [{ type: 'message', seq: 3, id: 'for-someone-else', body: Buffer.from('misaddressed'), channel: OWN_CHANNEL, kind: 'text' }]))
    await expect.poll(rejected).toBe(2)
    await friend.depositRaw(card, await friend.seal(bobId, elsewhere.peerId, [{ type: 'message', seq: 3, id: 'for-another-relay', body: Buffer.from('wrong relay'), channel: OWN_CHANNEL, kind: 'text' }]))
    await expect.poll(rejected).toBe(3)

    // The same envelope handed over twice: applied once, refused the second time.
    const once = await friend.seal(bobId, relayId, [{ type: 'message', seq: 3, id: 'once', body: Buffer.from('once'), channel: OWN_CHANNEL, kind: 'text' }])
    await friend.depositRaw(card, once)
    await expect.poll(texts).toEqual(['first', 'second', 'third', 'once'])
    await friend.depositRaw(card, once)
    await expect.poll(rejected).toBe(4)

    // A stranger who holds Bob's card: a request for Bob, its mail kept unread until he decides; refused, it goes.
    await stranger.send(bobCard, ['from a stranger'])
    await bob.waitForStatus(s => s.requests.some(r => r.peerId === stranger.peerId), 'the stranger\'s request')
    expect((await bob.status()).peers.map(p => p.peerId)).toEqual([friend.peerId])
    await bob.api({ method: 'refuseRequest', peerId: stranger.peerId })
    await expect.poll(rejected).toBe(5)
    await bob.waitForStatus(s => s.relays[0]?.mailbox?.waitingEnvelopes === 0, 'an empty mailbox')

    // Through all of it the conversation is whole: in order, each once.
    await friend.send(bobCard, ['after all that'], 4)
    await expect.poll(texts).toEqual(['first', 'second', 'third', 'once', 'after all that'])
    expect(await rejected()).toBe(5)

    // Bob makes a new card: whoever holds only the old one, and is no contact, can no longer leave him mail.
    await bob.api({ method: 'rotateCardToken' })
    await expect.poll(async () => (await stranger.send(bobCard, ['with an old card'], 1)).refusals[0]?.data.reason).toBe('not-allowed')
    expect(await cardOf(bob)).not.toBe(bobCard)
    // The options page says what his relay keeps for him.
    const options = await bob.open('options/options.html')
    await expect(options.getByRole('list', { name: 'Relays' })).toContainText(/Mailbox: (nothing waiting|\d+ \()/)
  } finally {
    await Promise.all(peers.map(async p => { await p.stop() }))
    await bob.close()
    await relay.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('a full mailbox: the sender shows why in the popup, keeps the message, and delivers everything once Bob is back', async () => {
  test.setTimeout(180_000)
  const { relay, dataDir } = await startMailRelay({ args: ['--mailbox-envelopes', '2'] })
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const launch = async (name: 'alice' | 'bob'): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name, userDataDir: dirs[name] })
  try {
    let bob = await launch('bob')
    const { card: bobCard, peerId: bobId } = await reserveWithMailbox(bob, relay.address)
    await bob.close()

    const alice = await launch('alice')
    await alice.useRelay(relay.address)
    const aliceCard = await cardOf(alice)
    const aliceId = (await alice.status()).peerId!
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const mine = async (): Promise<MessageView[]> => (await alice.messages(bobId)).filter(m => m.direction === 'out')
    // One message, one envelope: the mailbox takes two.
    for (const text of ['one', 'two']) {
      await alice.api({ method: 'send', peerId: bobId, text })
      await expect.poll(async () => (await mine()).find(m => m.text === text)?.state, { timeout: 30_000 }).toBe('stored')
    }
    await alice.api({ method: 'send', peerId: bobId, text: 'three' })
    const full = await alice.waitForStatus(s => s.peers[0]?.mailbox.error != null, 'the refusal of a full mailbox')
    expect(full.peers[0]!.mailbox.error).toMatchObject({ name: 'MailboxRefusedError', data: { reason: 'mailbox-full-envelopes', limit: 2, value: 3 } })
    expect((await mine()).map(m => [m.text, m.state])).toEqual([['one', 'stored'], ['two', 'stored'], ['three', 'queued']])
    const popup = await alice.open('popup/popup.html')
    await popup.getByRole('button', { name: /Bob/ }).click()
    await expect(popup.locator('.mailbox-note')).toContainText('Bob\'s mailbox at relay')
    await expect(popup.locator('.mailbox-note')).toContainText('is full (3 > 2)')
    await expect(popup.getByRole('log', { name: 'Messages' }).locator('li.out.stored', { hasText: 'one' })).toContainText('In Bob\'s mailbox')

    // Bob is back: he takes his mail, which makes room, and all three reach him once, in order.
    bob = await launch('bob')
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    await expect.poll(async () => (await bob.messages(aliceId)).map(m => m.text), { timeout: 60_000 }).toEqual(['one', 'two', 'three'])
    await expect.poll(async () => (await mine()).map(m => m.state), { timeout: 60_000 }).toEqual(['delivered', 'delivered', 'delivered'])
    await expect(popup.locator('.mailbox-note')).toHaveText('')
    await Promise.all([alice.close(), bob.close()])
  } finally {
    await relay.stop()
    for (const dir of [...Object.values(dirs), dataDir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})

test('never online together, Firefox and Chromium: each reads the other\'s mail and its own messages end delivered', async () => {
  test.setTimeout(240_000)
  const { relay, dataDir } = await startMailRelay()
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-firefox-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const aliceUuid = randomUUID()
  const launchAlice = async (): Promise<FirefoxProfile> => await FirefoxProfile.launch({ name: 'alice', userDataDir: dirs.alice, uuid: aliceUuid })
  const launchBob = async (): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name: 'bob', userDataDir: dirs.bob })
  try {
    let bob = await launchBob()
    const { card: bobCard, peerId: bobId } = await reserveWithMailbox(bob, relay.address)
    await bob.close()

    let alice = await launchAlice()
    const { card: aliceCard, peerId: aliceId } = await reserveWithMailbox(alice, relay.address)
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const toBob = Array.from({ length: 10 }, (_, i) => `from Firefox #${i}`)
    for (const text of toBob) await alice.api({ method: 'send', peerId: bobId, text })
    await waitForConversation(alice, bobId, [OWN_CHANNEL], ms => ms.length === 10 && ms.every(m => m.state === 'stored'), 'all 10 in Bob\'s mailbox')
    await alice.close()

    bob = await launchBob()
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    await waitForConversation(bob, aliceId, [OWN_CHANNEL], ms => ms.length === 10, 'Alice\'s 10 messages')
    expect((await bob.messages(aliceId)).map(m => m.text)).toEqual(toBob)
    const toAlice = Array.from({ length: 5 }, (_, i) => `from Chromium #${i}`)
    for (const text of toAlice) await bob.api({ method: 'send', peerId: aliceId, text })
    await waitForConversation(bob, aliceId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'out').length === 5 && ms.filter(m => m.direction === 'out').every(m => m.state === 'stored'), 'his 5 in Alice\'s mailbox')
    await bob.close()

    alice = await launchAlice()
    const done = await waitForConversation(alice, bobId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'out').every(m => m.state === 'delivered') && ms.filter(m => m.direction === 'in').length === 5,
      'her 10 delivered and Bob\'s 5')
    expect(done.filter(m => m.direction === 'in').map(m => m.text)).toEqual(toAlice)
    await alice.close()
  } finally {
    await relay.stop()
    for (const dir of [...Object.values(dirs), dataDir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})

test('half by mailbox, then both online, through worker stops, a relay killed and each browser closed once: every message arrives once and in order, and none is delivered falsely', async () => {
  test.setTimeout(300_000)
  const { relay, dataDir } = await startMailRelay()
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const launch = async (name: 'alice' | 'bob'): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name, userDataDir: dirs[name] })
  try {
    let [alice, bob] = await Promise.all([launch('alice'), launch('bob')])
    await Promise.all([alice.useRelay(relay.address), bob.useRelay(relay.address)])
    await Promise.all([waitForMailbox(alice), waitForMailbox(bob)])
    const [aliceCard, bobCard] = await Promise.all([cardOf(alice), cardOf(bob)])
    const [aliceId, bobId] = [(await alice.status()).peerId!, (await bob.status()).peerId!]
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    await alice.api({ method: 'send', peerId: bobId, text: 'a-0', id: 'a-0', awaitDelivery: true })

    // Bob is away: Alice's messages go to his mailbox, and the relay dies hard in the middle.
    await bob.close()
    await sendNumbered(alice, bobId, 'a', 100, async (sent) => {
      if (sent !== 50) return
      await relay.kill()
      await relay.startAgain()
    })
    // Bob is back: his mailbox and the stream both bring Alice's messages, while both keep writing and their workers are stopped now and then.
    bob = await launch('bob')
    const stoppers = [keepStoppingWorker(alice, 2_000), keepStoppingWorker(bob, 2_000)]
    await Promise.all([sendNumbered(alice, bobId, 'a', 200), sendNumbered(bob, aliceId, 'b', 100)])
    await Promise.all(stoppers.map(async s => await s.end()))
    // Alice is away: Bob's next messages wait in her mailbox.
    await alice.close()
    await sendNumbered(bob, aliceId, 'b', 200)
    alice = await launch('alice')

    const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, 200, 120_000), waitForAll(bob, alice, 200, 120_000)])
    expect(atBob.received).toEqual(numbered('a', 200))
    expect(atAlice.received).toEqual(numbered('b', 200))
    expect([atBob.pending, atAlice.pending]).toEqual([0, 0])
    // Delivered means the other side has it: every message is both delivered here and there, once.
    for (const [profile, peerId] of [[alice, bobId], [bob, aliceId]] as const) {
      const out = (await profile.messages(peerId, 10_000)).filter(m => m.direction === 'out')
      expect(out.filter(m => m.state !== 'delivered')).toEqual([])
      expect(out).toHaveLength(200)
    }
    expect((await alice.status()).counters.mailboxRejected + (await bob.status()).counters.mailboxRejected).toBe(0)
    await Promise.all([alice.close(), bob.close()])
  } finally {
    await relay.stop()
    for (const dir of [...Object.values(dirs), dataDir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})

test('mail is left on two of the contact\'s relays: one of them gone for good loses nothing', async () => {
  test.setTimeout(180_000)
  const [first, second] = await Promise.all([startMailRelay(), startMailRelay()])
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const launch = async (name: 'alice' | 'bob'): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name, userDataDir: dirs[name] })
  try {
    let bob = await launch('bob')
    await bob.api({ method: 'setRelays', relays: [first.relay.address, second.relay.address] })
    await bob.waitForStatus(s => s.relays.length === 2 && s.relays.every(r => r.state === 'reserved'), 'reservations on both relays')
    await waitForMailbox(bob)
    const bobCard = await cardOf(bob)
    const bobId = (await bob.status()).peerId!
    await bob.close()

    // Alice uses both relays as well (a browser dials a relay on a private address only when it is one of its own).
    const alice = await launch('alice')
    await alice.api({ method: 'setRelays', relays: [first.relay.address, second.relay.address] })
    await alice.waitForStatus(s => s.relays.length === 2 && s.relays.every(r => r.state === 'reserved'), 'Alice\'s reservations on both relays')
    const aliceCard = await cardOf(alice)
    const aliceId = (await alice.status()).peerId!
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const texts = Array.from({ length: 10 }, (_, i) => `twice kept #${i}`)
    for (const text of texts) await alice.api({ method: 'send', peerId: bobId, text })
    const stored = await waitForConversation(alice, bobId, [OWN_CHANNEL], ms => ms.length === 10 && ms.every(m => m.state === 'stored' && m.storedAt?.length === 2), 'all 10 on both of Bob\'s relays')
    const relayIds = [first, second].map(({ relay }) => relay.address.slice(relay.address.lastIndexOf('/') + 1)).sort()
    expect(stored.every(m => [...m.storedAt!].sort().join() === relayIds.join())).toBe(true)

    // The first relay, where Alice is reserved too, is gone for good.
    await first.relay.kill()
    rmSync(first.dataDir, { recursive: true, force: true })
    bob = await launch('bob')
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    await expect.poll(async () => (await bob.messages(aliceId)).map(m => m.text), { timeout: 60_000 }).toEqual(texts)
    expect((await bob.status()).counters.mailboxRejected).toBe(0)
    await Promise.all([alice.close(), bob.close()])
  } finally {
    for (const { relay, dataDir } of [first, second]) {
      await relay.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})
