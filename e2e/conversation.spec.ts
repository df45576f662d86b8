import { expect, test } from './fixtures.ts'

const TOTAL = 5_000
const BATCH = 1_000

test('a conversation of 5,000 messages pages back as the person scrolls up, without a jump; a new message keeps their place; days are headed; the list puts the most recent conversation first', async ({ fresh }) => {
  test.setTimeout(240_000)
  const { alice, bob, aliceId, bobId } = fresh
  // Bob's side holds a whole batch while it goes out.
  await bob.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: BATCH } })
  for (let from = 0; from < TOTAL; from += BATCH) {
    await bob.api({ method: 'sendMany', peerId: aliceId, messages: Array.from({ length: BATCH }, (_, i) => ({ text: `message ${from + i}` })) })
    await bob.waitForStatus(s => s.peers.find(p => p.peerId === aliceId)?.pending.messages === 0, `batch from ${from} delivered`, 120_000)
  }
  await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.unread === TOTAL, `all ${TOTAL} at Alice`, 60_000)

  const popup = await alice.open('popup/popup.html')
  const log = popup.getByRole('log', { name: 'Messages' })
  const shown = log.locator('li.message')
  await expect(shown.last()).toContainText(`message ${TOTAL - 1}`)
  const firstPage = await shown.count()
  expect(firstPage).toBeLessThan(TOTAL)

  // Up to the top, again and again: each time a page of older messages comes, and the message the
  // person was looking at stays exactly where it was on the screen.
  let pages = 0
  while (await shown.count() < TOTAL) {
    const count = await shown.count()
    const before = await log.evaluate((list) => {
      list.scrollTop = 0
      const top = list.querySelector<HTMLElement>('li.message')!
      return { id: top.dataset.messageId!, y: top.getBoundingClientRect().top - list.getBoundingClientRect().top }
    })
    await expect(shown).not.toHaveCount(count, { timeout: 10_000 })
    // Where it shows within the log (the page around may move as the contact's row changes).
    const after = await log.evaluate((list, id) => list.querySelector(`[data-message-id="${id}"]`)!.getBoundingClientRect().top - list.getBoundingClientRect().top, before.id)
    expect(Math.abs(after - before.y), `the message on top moved when page ${pages + 1} came`).toBeLessThanOrEqual(1)
    pages++
  }
  expect(pages).toBeGreaterThan(10)
  await expect(shown.first()).toContainText('message 0')
  // All of them came today: one heading, above the first.
  await expect(log.locator('li.day')).toHaveText(['Today'])
  expect(await log.evaluate(log => log.querySelector('ul')?.firstElementChild?.classList.contains('day'))).toBe(true)

  // Reading old messages, the person stays put when a new one arrives at the bottom.
  const place = await log.evaluate((list) => { list.scrollTop = list.scrollHeight / 2; return list.scrollTop })
  await bob.api({ method: 'send', peerId: aliceId, text: 'a new one while Alice reads old ones' })
  await expect(shown.last()).toContainText('a new one while Alice reads old ones')
  expect(await log.evaluate(list => list.scrollTop)).toBe(place)

  // At the bottom, a new message scrolls into view.
  await log.evaluate((list) => { list.scrollTop = list.scrollHeight })
  await bob.api({ method: 'send', peerId: aliceId, text: 'and one read as it comes' })
  await expect(shown.last()).toContainText('and one read as it comes')
  await expect(shown.last()).toBeInViewport()

  // The list of conversations: the most recent first, with its last line and when it came.
  const carol = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
  await alice.api({ method: 'addPeer', peerId: carol, name: 'Carol' })
  const conversations = popup.getByRole('list', { name: 'Contacts' }).getByRole('listitem')
  await expect(conversations).toHaveCount(2)
  await expect(conversations.nth(0)).toContainText('Bob')
  await expect(conversations.nth(0)).toContainText('and one read as it comes')
  await expect(conversations.nth(0).locator('time')).toHaveAttribute('datetime', /^\d{4}-/)
  await expect(conversations.nth(1)).toContainText('Carol')
  await alice.api({ method: 'send', peerId: carol, text: 'hello Carol' })
  await expect(conversations.nth(0)).toContainText('Carol')
  await expect(conversations.nth(0)).toContainText('You: hello Carol')
  await expect(conversations.nth(1)).toContainText('Bob')
})
