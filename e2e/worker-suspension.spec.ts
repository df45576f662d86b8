import { expect, test } from './fixtures.ts'
import { keepStoppingWorker, numbered, sendNumbered, waitForAll } from './support/exchange.ts'

test('1,000 messages each way while both workers are stopped about every 2 s: each delivered once, in order', async ({ fresh }) => {
  test.setTimeout(300_000)
  const { alice, bob, aliceId, bobId } = fresh
  const count = 1000
  const stoppers = [keepStoppingWorker(alice, 2_000), keepStoppingWorker(bob, 2_000)]

  await Promise.all([sendNumbered(alice, bobId, 'a', count), sendNumbered(bob, aliceId, 'b', count)])
  const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, count, 120_000), waitForAll(bob, alice, count, 120_000)])
  const stops = await Promise.all(stoppers.map(async s => await s.end()))

  console.log(`worker stops: alice ${stops[0]}, bob ${stops[1]}; received: bob ${atBob.received.length}, alice ${atAlice.received.length}`)
  expect(stops[0]).toBeGreaterThan(0)
  expect(stops[1]).toBeGreaterThan(0)
  expect(atBob.received).toEqual(numbered('a', count))
  expect(atAlice.received).toEqual(numbered('b', count))
  expect(atBob.pending).toBe(0)
  expect(atAlice.pending).toBe(0)
})

test('the offscreen document closed mid-exchange is re-created, the peers reconnect and the exchange completes', async ({ fresh }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceId, bobId } = fresh
  const count = 300
  const before = (await alice.status()).peerId

  await Promise.all([
    sendNumbered(alice, bobId, 'a', count, async (sent) => { if (sent === 100) await alice.closeOffscreenDocument() }),
    sendNumbered(bob, aliceId, 'b', count)
  ])
  const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, count, 120_000), waitForAll(bob, alice, count, 120_000)])

  expect(atBob.received).toEqual(numbered('a', count))
  expect(atAlice.received).toEqual(numbered('b', count))
  // The relay may carry a reconnection's first messages while WebRTC comes up; then WebRTC takes over.
  const status = await alice.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')
  expect(status.peerId).toBe(before)
  expect(status.node).toBe('running')
  expect(status.peers[0]?.connection).toMatchObject({ transport: 'webrtc', direct: true })
})

test('a popup left open across a worker restart reconnects by itself and keeps showing live state', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  const popup = await bob.open('popup/popup.html')
  await popup.getByRole('button', { name: /Alice/ }).click()
  await alice.api({ method: 'send', peerId: bobId, text: 'before the restart', awaitDelivery: true })
  const log = popup.getByRole('log', { name: 'Messages' })
  await expect(log).toContainText('before the restart')

  await bob.stopServiceWorker()
  // Nothing on Bob's side calls the API; the message itself wakes his worker.
  await alice.api({ method: 'send', peerId: bobId, text: 'after the restart', awaitDelivery: true })
  await expect(log).toContainText('after the restart')
  await popup.getByLabel('Message', { exact: true }).fill('a reply from the same popup')
  await popup.getByRole('button', { name: 'Send' }).click()
  await expect(log.locator('li.out', { hasText: 'a reply from the same popup' })).toContainText('Delivered')
  expect((await alice.messages(bobId)).at(-1)?.text).toBe('a reply from the same popup')
  await expect(popup.getByRole('button', { name: /Alice/ })).toContainText('Direct (WebRTC)')
  void aliceId
})
