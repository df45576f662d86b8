import { PeerClosedError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

test('a stream reset by the peer means reconnect, never "closed on purpose"', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'before the reset', awaitDelivery: true })

  await bob.api({ method: 'resetPeer', peerId: aliceId })

  // Alice saw a remote reset, and is connected again without anyone sending.
  const status = await alice.waitForStatus(s => s.peers[0]?.lastClose?.startsWith('remote error') === true && s.peers[0].state === 'connected',
    'a reconnection after the remote reset')
  expect(status.peers[0]?.lastClose).toContain('StreamResetError')
  expect(status.peers[0]?.closedBy).toBeUndefined()
  const next = await alice.api({ method: 'send', peerId: bobId, text: 'after the reset', awaitDelivery: true })
  expect(next.state).toBe('delivered')
  expect((await bob.messages(aliceId)).map(m => m.text)).toEqual(['before the reset', 'after the reset'])
})

test('the relay is killed and restarted on the same address: both browsers reserve again and a new dial works', async ({ isolated }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceId, bobId, relay } = isolated
  await alice.api({ method: 'send', peerId: bobId, text: 'before the relay died', awaitDelivery: true })

  await relay.kill()
  for (const profile of [alice, bob]) {
    await profile.waitForStatus(s => s.relays[0]?.state !== 'reserved', 'the relay to be seen as gone')
  }
  await relay.startAgain()
  for (const profile of [alice, bob]) {
    await profile.waitForStatus(s => s.relays[0]?.state === 'reserved', 'a new reservation on the restarted relay', 90_000)
  }

  // A new dial needs Bob's new reservation: Alice hangs up, then reconnects.
  const dialsBefore = (await alice.status()).peers[0]!.dialAttempts
  await alice.api({ method: 'closePeer', peerId: bobId })
  await alice.api({ method: 'reconnectPeer', peerId: bobId })
  const sent = await alice.api({ method: 'send', peerId: bobId, text: 'through a fresh dial', awaitDelivery: true })
  expect(sent.state).toBe('delivered')
  // The dial count comes with the node's next report, which may follow the delivery's answer by a moment.
  await alice.waitForStatus(s => (s.peers[0]?.dialAttempts ?? 0) > dialsBefore, 'the new dial counted', 10_000)
  // The relay may carry the first message while WebRTC comes up; then WebRTC takes over.
  const direct = await alice.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')
  expect(direct.peers[0]!.connection).toMatchObject({ transport: 'webrtc', direct: true })
  // Bob was told of the close, and the reconnection opened the conversation again for him too.
  expect((await bob.api({ method: 'send', peerId: aliceId, text: 'and back', awaitDelivery: true })).state).toBe('delivered')
})

test('after the user closes a peer, no dial attempts follow on either side until the user reconnects', async ({ fresh }) => {
  test.setTimeout(120_000)
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'hello', awaitDelivery: true })

  const closed = await alice.api({ method: 'closePeer', peerId: bobId })
  expect(closed).toMatchObject({ state: 'closed', closedBy: 'local' })
  await bob.waitForStatus(s => s.peers[0]?.state === 'closed' && s.peers[0].closedBy === 'remote', 'Bob to see the close')
  const dials = async (): Promise<number[]> => [(await alice.status()).peers[0]!.dialAttempts, (await bob.status()).peers[0]!.dialAttempts]
  const before = await dials()

  const fromAlice = await alice.api({ method: 'send', peerId: bobId, text: 'no' }).catch((e: unknown) => e)
  expect(fromAlice).toBeInstanceOf(PeerClosedError)
  expect((fromAlice as PeerClosedError).data).toMatchObject({ by: 'local', intentional: true })
  const fromBob = await bob.api({ method: 'send', peerId: aliceId, text: 'no' }).catch((e: unknown) => e)
  expect((fromBob as PeerClosedError).data).toMatchObject({ by: 'remote' })

  // Worker restarts and time pass; still nobody dials.
  await alice.stopServiceWorker()
  await bob.stopServiceWorker()
  await sleep(8_000)
  expect(await dials()).toEqual(before)
  expect((await alice.status()).peers[0]?.state).toBe('closed')

  await alice.api({ method: 'reconnectPeer', peerId: bobId })
  expect((await alice.api({ method: 'send', peerId: bobId, text: 'again', awaitDelivery: true })).state).toBe('delivered')
  await bob.waitForStatus(s => s.peers[0]?.state === 'connected', 'Bob to be open again')
})

test('Bob\'s browser closes and relaunches with the same profile: Alice reconnects and delivers what she queued meanwhile', async ({ fresh }) => {
  test.setTimeout(240_000)
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'before Bob left', awaitDelivery: true })

  await bob.close()
  const queued = ['while you were away 1', 'while you were away 2', 'while you were away 3']
  for (const text of queued) await alice.api({ method: 'send', peerId: bobId, text })
  expect((await alice.status()).peers[0]?.pending.messages).toBe(3)

  const bobAgain = await ExtensionProfile.launch({ name: 'bob-again', userDataDir: bob.userDataDir })
  try {
    expect((await bobAgain.status()).peerId).toBe(bobId)
    await alice.waitForStatus(s => s.peers[0]?.pending.messages === 0, 'Alice\'s outbox to drain', 180_000)
    expect((await bobAgain.messages(aliceId)).map(m => m.text)).toEqual(['before Bob left', ...queued])
  } finally {
    await bobAgain.close()
  }
})
