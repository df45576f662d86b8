import type { ResourceLimitError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'

test('Alice and Bob message each other both ways over a direct WebRTC connection', async ({ alice, bob }) => {
  const aliceId = (await alice.status()).peerId!
  const bobId = (await bob.status()).peerId!

  // Alice writes in her popup, as a person would.
  const popup = await alice.open('popup/popup.html')
  await popup.getByRole('button', { name: /Bob/ }).click()
  await popup.getByLabel('Message', { exact: true }).fill('Hello Bob, this is Alice')
  await popup.getByRole('button', { name: 'Send' }).click()
  const sent = popup.getByRole('log', { name: 'Messages' }).locator('li.out', { hasText: 'Hello Bob, this is Alice' })
  await expect(sent).toContainText('Delivered')

  // Bob's popup shows it, and he answers.
  const bobPopup = await bob.open('popup/popup.html')
  await bobPopup.getByRole('button', { name: /Alice/ }).click()
  await expect(bobPopup.getByRole('log', { name: 'Messages' }).locator('li.in')).toContainText('Hello Bob, this is Alice')
  const reply = await bob.api({ method: 'send', peerId: aliceId, text: 'Hi Alice, Bob here', awaitDelivery: true })
  expect(reply.state).toBe('delivered')
  await expect(popup.getByRole('log', { name: 'Messages' }).locator('li.in')).toContainText('Hi Alice, Bob here')

  // Both stored the conversation in order, each message once.
  const ours = (m: { text: string }): boolean => m.text === 'Hello Bob, this is Alice' || m.text === 'Hi Alice, Bob here'
  expect((await alice.messages(bobId)).filter(ours).map(m => [m.direction, m.text, m.state])).toEqual([
    ['out', 'Hello Bob, this is Alice', 'delivered'],
    ['in', 'Hi Alice, Bob here', 'received']
  ])
  expect((await bob.messages(aliceId)).filter(ours).map(m => [m.direction, m.text, m.state])).toEqual([
    ['in', 'Hello Bob, this is Alice', 'received'],
    ['out', 'Hi Alice, Bob here', 'delivered']
  ])

  // What carries them is a direct WebRTC connection, not the relay (which may have carried
  // the first ones if WebRTC was slow to come up: the route is watched until it is direct).
  for (const [profile, peerId] of [[alice, bobId], [bob, aliceId]] as const) {
    const status = await profile.waitForStatus(s => s.peers.find(p => p.peerId === peerId)?.connection?.route === 'direct', 'a direct route')
    const peer = status.peers.find(p => p.peerId === peerId)
    expect(peer?.state).toBe('connected')
    expect(peer?.connection).toMatchObject({ transport: 'webrtc', route: 'direct', direct: true })
  }
  await expect(popup.getByRole('button', { name: /Bob/ })).toContainText('Direct (WebRTC)')
})

test('after Chrome stops the service worker, Peerlink boots again with the same identity, contacts and conversation', async ({ alice, bob }) => {
  const bobId = (await bob.status()).peerId!
  const before = await alice.status()
  const conversation = await alice.messages(bobId)

  await alice.stopServiceWorker()

  // The next API call wakes the worker; it re-links to the offscreen document that kept running.
  const after = await alice.waitForStatus(s => s.node === 'running', 'the node after the worker restart')
  expect(after.peerId).toBe(before.peerId)
  expect(after.peers.map(p => [p.peerId, p.name])).toEqual(before.peers.map(p => [p.peerId, p.name]))
  expect(after.relays).toEqual(before.relays)
  expect(await alice.messages(bobId)).toEqual(conversation)

  const result = await alice.api({ method: 'send', peerId: bobId, text: 'still here after a worker restart', awaitDelivery: true })
  expect(result.state).toBe('delivered')
  const received = await bob.messages((await alice.status()).peerId!)
  expect(received.at(-1)?.text).toBe('still here after a worker restart')
})

test('a batch sent with sendMany arrives whole and in order; the speed test and diagnostics report real figures', async ({ alice, bob }) => {
  const aliceId = (await alice.status()).peerId!
  const bobId = (await bob.status()).peerId!
  // A batch over the pending cap is refused whole.
  const tooMany = await alice.api({ method: 'sendMany', peerId: bobId, messages: Array.from({ length: 201 }, () => ({ text: 'no' })) }).catch((e: unknown) => e)
  expect((tooMany as ResourceLimitError).data).toMatchObject({ limitType: 'pending-messages', limit: 200, current: 201 })
  const texts = Array.from({ length: 150 }, (_, i) => `batch ${i}`)
  const results = await alice.api({ method: 'sendMany', peerId: bobId, messages: texts.map(text => ({ text })) })
  expect(results).toHaveLength(150)
  await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.pending.messages === 0, 'the batch to be delivered')
  const received = (await bob.messages(aliceId, 1000)).filter(m => m.text.startsWith('batch ')).map(m => m.text)
  expect(received).toEqual(texts)

  // Figures measured, not made up: the bytes are what Bob's side counted, and no time is longer than the call that measured it.
  const throughputStarted = Date.now()
  const throughput = await alice.api({ method: 'speedTest', peerId: bobId, mode: 'throughput', messageBytes: 16 * 1024, totalBytes: 4 * 1024 * 1024 })
  const throughputCallMs = Date.now() - throughputStarted
  if (throughput.mode !== 'throughput') throw new Error(`a throughput test answered ${JSON.stringify(throughput)}`)
  expect(throughput.bytes).toBe(4 * 1024 * 1024)
  expect(throughput.ms).toBeGreaterThan(0)
  expect(throughput.ms).toBeLessThanOrEqual(throughputCallMs)
  const roundTripsStarted = Date.now()
  const roundTrips = await alice.api({ method: 'speedTest', peerId: bobId, mode: 'round-trip', count: 20 })
  const roundTripsCallMs = Date.now() - roundTripsStarted
  if (roundTrips.mode !== 'round-trip') throw new Error(`a round-trip test answered ${JSON.stringify(roundTrips)}`)
  expect(roundTrips.roundTripsMs).toHaveLength(20)
  for (const ms of roundTrips.roundTripsMs) expect(ms).toBeGreaterThan(0)
  expect(roundTrips.roundTripsMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(roundTripsCallMs)

  const diagnostics = await alice.api({ method: 'diagnostics' })
  expect(diagnostics.offscreenJsHeapUsedBytes).toBeGreaterThan(1024 * 1024)
  // The profile stores the 150 messages it sent, so IndexedDB uses some of its quota.
  expect(diagnostics.storage.usedBytes).toBeGreaterThan(0)
  expect(diagnostics.storage.quotaBytes).toBeGreaterThan(diagnostics.storage.usedBytes!)
  expect(diagnostics.outboxBytes).toBe(0)
})
