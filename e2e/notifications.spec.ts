import type { Page } from '@playwright/test'
import { NOTICE_DELAY_MS } from '../src/common/constants.ts'
import { expect, test } from './fixtures.ts'
import type { ExtensionProfile } from './support/extension-profile.ts'

/** Long enough for a burst's notice to have shown, had it been going to. */
const PAST_NOTICE_MS = NOTICE_DELAY_MS + 1_000

const pause = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Waits until `profile` has `count` unread messages from `peerId`: they arrived, and no page read them. */
async function unreadFrom (profile: ExtensionProfile, peerId: string, count: number): Promise<void> {
  await profile.waitForStatus(s => s.peers.find(p => p.peerId === peerId)?.unread === count, `${count} unread from ${peerId}`, 60_000)
}

test('a burst arriving while no page shows the conversation is one notification; a click opens the conversation; mute, an open conversation and the switch silence it', async ({ fresh }) => {
  test.setTimeout(120_000)
  const { alice, bob, aliceId, bobId } = fresh
  await alice.recordNotifications()
  const noticeId = `messages/${bobId}`

  // Three messages at once, and no Peerlink page open on Alice's side: one notification, with the count and the newest.
  await bob.api({ method: 'sendMany', peerId: aliceId, messages: [{ text: 'first' }, { text: 'second' }, { text: 'third, and the last of the burst' }] })
  await expect.poll(async () => await alice.notifications(), { timeout: 60_000 }).toEqual({
    open: [noticeId],
    shown: [{ id: noticeId, title: 'Bob', message: '3 new messages. Latest: third, and the last of the burst' }]
  })

  // A click opens that conversation in a tab; what it showed is read, and the notification goes.
  const opened = alice.context.waitForEvent('page')
  await alice.clickNotification(noticeId)
  const conversation: Page = await opened
  await expect(conversation.getByRole('heading', { name: 'Conversation with Bob' })).toBeVisible()
  await expect(conversation.getByRole('log', { name: 'Messages' })).toContainText('third, and the last of the burst')
  await expect.poll(async () => (await alice.notifications()).open).toEqual([])
  await unreadFrom(alice, bobId, 0)

  // While the conversation is open, new messages notify nothing.
  await bob.api({ method: 'send', peerId: aliceId, text: 'seen as it came' })
  await expect(conversation.getByRole('log', { name: 'Messages' })).toContainText('seen as it came')
  await pause(PAST_NOTICE_MS)
  expect((await alice.notifications()).shown).toHaveLength(1)

  // Muted from the conversation: a message while the page is closed stays a number on the badge.
  await conversation.getByRole('button', { name: 'Mute', exact: true }).click()
  await expect(conversation.getByRole('button', { name: 'Unmute', exact: true })).toBeVisible()
  await conversation.close()
  await bob.api({ method: 'send', peerId: aliceId, text: 'while muted' })
  await unreadFrom(alice, bobId, 1)
  await pause(PAST_NOTICE_MS)
  expect((await alice.notifications()).shown).toHaveLength(1)

  // The global switch on the options page: off, nothing shows even for an unmuted contact.
  await alice.api({ method: 'setMuted', peerId: bobId, muted: false })
  const options = await alice.open('options/options.html')
  await options.getByLabel('Show notifications').uncheck()
  await expect.poll(async () => (await alice.status()).notifications).toBe(false)
  await options.close()
  await bob.api({ method: 'send', peerId: aliceId, text: 'with notifications off' })
  await unreadFrom(alice, bobId, 2)
  await pause(PAST_NOTICE_MS)
  expect((await alice.notifications()).shown).toHaveLength(1)

  // Back on: the next burst tells of all three unread, the muted and switched-off ones with it.
  await alice.api({ method: 'setNotifications', on: true })
  await bob.api({ method: 'send', peerId: aliceId, text: 'all on again' })
  await expect.poll(async () => (await alice.notifications()).shown, { timeout: 30_000 }).toHaveLength(2)
  expect((await alice.notifications()).shown[1]).toEqual({ id: noticeId, title: 'Bob', message: '3 new messages. Latest: all on again' })
})
