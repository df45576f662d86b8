import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'

/**
 * The machine slept, as the worker's heartbeat sees it: its last tick (kept
 * in storage.local) an hour ago, and the heartbeat alarm due now. The duties
 * that follow are the real ones, on the browser's real alarm.
 */
async function wakeUp (profile: ExtensionProfile): Promise<void> {
  await profile.status() // wakes the worker
  await profile.worker!.evaluate(async () => {
    await chrome.storage.local.set({ 'wake.lastTick': Date.now() - 3_600_000 })
    await chrome.alarms.create('peerlink/heartbeat', { when: Date.now() })
  })
}

/** Waits until the backoff has put `due()` (an attempt's time) at least `aheadMs` away; answers it. */
async function farOff (profile: PeerlinkProfile, due: (s: Awaited<ReturnType<PeerlinkProfile['status']>>) => number | undefined, what: string, aheadMs: number): Promise<number> {
  const status = await profile.waitForStatus(s => (due(s) ?? 0) > Date.now() + aheadMs, `${what} over ${aheadMs / 1000} s away`, 180_000)
  return due(status)!
}

test('after a wake, backoffs start over: a relay that came back is reserved again, and a contact that came back is dialed, both at once', async ({ isolated }) => {
  test.setTimeout(360_000)
  const { alice, bob, bobId, relay } = isolated
  // Long backoffs, so an attempt made before its time can only be the wake's doing.
  await alice.api({ method: 'setLimits', limits: { retryBaseMs: 60_000, retryCapMs: 3_600_000 } })
  await alice.api({ method: 'send', peerId: bobId, text: 'before the sleep', awaitDelivery: true })

  // The relay goes away, and Alice's retries back off; it comes back while she "sleeps".
  await relay.kill()
  const relayDue = await farOff(alice, s => s.relays[0]?.state === 'failed' ? s.relays[0].nextAttemptAt : undefined, 'the next relay attempt', 30_000)
  await relay.startAgain()
  await wakeUp(alice)
  await alice.waitForStatus(s => s.relays[0]?.state === 'reserved', 'a reservation again after the wake', relayDue - Date.now())
  expect(Date.now()).toBeLessThan(relayDue)

  // Bob's browser goes away with a message for him waiting; Alice's dials back off. He comes back.
  await bob.close()
  await alice.api({ method: 'send', peerId: bobId, text: 'while Bob was away', id: 'while-away' })
  const bobDue = await farOff(alice, s => s.peers.find(p => p.peerId === bobId)?.nextAttemptAt, 'the next dial to Bob', 30_000)
  const bobAgain = await ExtensionProfile.launch({ name: 'bob-again', userDataDir: bob.userDataDir })
  try {
    await bobAgain.waitForStatus(s => s.relays[0]?.state === 'reserved', 'Bob reserved again')
    await wakeUp(alice)
    // awaitDelivery waits at most a minute; the backoff may put the dial further off than that.
    await expect.poll(async () => (await alice.api({ method: 'getMessage', id: 'while-away' })).state, { timeout: Math.max(1_000, bobDue - Date.now() - 1_000) }).toBe('delivered')
    expect(Date.now()).toBeLessThan(bobDue)
  } finally {
    await bobAgain.close()
  }
})
