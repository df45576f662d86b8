import { resolve } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, makePair, test } from './fixtures.ts'
import type { ExtensionProfile } from './support/extension-profile.ts'

/** The example chat extension as `npm run build` makes it: a page built on Peerlink's client library (`examples/extension`). */
const EXAMPLE_DIR = resolve(import.meta.dirname, '../dist/examples/extension')

/** The example's chat page in `profile`, pointed at that profile's Peerlink. */
async function openChat (profile: ExtensionProfile): Promise<{ page: Page, client: `extension:${string}` }> {
  const id = await profile.extensionIdOf(EXAMPLE_DIR)
  const page = await profile.openExtensionPage(id, `chat.html?peerlink=${profile.extensionId}`)
  return { page, client: `extension:${id}` }
}

/** The chat's state as its page shows it (idle, connecting, subscribed, refused). */
async function chatState (page: Page): Promise<string | undefined> {
  return await page.locator('#state').getAttribute('data-state') ?? undefined
}

/** Sends `text` from the chat page as a person does: type it, press Send. */
async function say (page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text)
  await page.locator('#send').click()
  await expect(page.locator('#text')).toHaveValue('', { timeout: 30_000 })
}

test('the example chat extension, built on the client library: refused until allowed, then messages both ways, and again after Peerlink\'s worker stopped', async ({ relay }) => {
  const pair = await makePair(relay, { extraExtensions: [EXAMPLE_DIR] })
  try {
    const [alice, bob] = await Promise.all([openChat(pair.alice), openChat(pair.bob)])
    // Not allowed yet: the library's requests and its subscription are refused, and the app is listed for the person to decide.
    await expect.poll(async () => await chatState(alice.page)).toBe('refused')
    await expect.poll(async () => (await pair.alice.status()).clients.find(c => c.client === alice.client)?.state).toBe('requested')
    for (const [profile, chat] of [[pair.alice, alice], [pair.bob, bob]] as const) await profile.api({ method: 'allowClient', client: chat.client })
    // The library subscribes again by itself once allowed.
    await expect.poll(async () => await chatState(alice.page), { timeout: 30_000 }).toBe('subscribed')
    await expect.poll(async () => await chatState(bob.page), { timeout: 30_000 }).toBe('subscribed')
    await expect(alice.page.locator('#peer')).toHaveValue(pair.bobId)
    await expect(bob.page.locator('#peer')).toHaveValue(pair.aliceId)

    await say(alice.page, 'hello from the example')
    const atBob = bob.page.locator('#messages li[data-direction="in"]')
    await expect(atBob.locator('.text')).toHaveText(['hello from the example'], { timeout: 30_000 })
    await expect(alice.page.locator('#messages li[data-direction="out"]')).toHaveAttribute('data-state', 'delivered', { timeout: 30_000 })
    await say(bob.page, 'and back')
    await expect(alice.page.locator('#messages li[data-direction="in"] .text')).toHaveText(['and back'], { timeout: 30_000 })

    // The browser stops Peerlink's worker: the library's requests port closes, and the next send still arrives, once.
    await pair.alice.stopServiceWorker()
    await say(alice.page, 'after the worker stopped')
    await expect(atBob.locator('.text')).toHaveText(['hello from the example', 'after the worker stopped'], { timeout: 30_000 })
    await expect(alice.page.locator('#messages li[data-direction="out"]').last()).toHaveAttribute('data-state', 'delivered', { timeout: 30_000 })
    // Peerlink's own conversation never shows the app's messages.
    const own = await pair.bob.api({ method: 'getMessages', peerId: pair.aliceId })
    expect(own.map(m => m.text)).not.toContain('hello from the example')
  } finally {
    await Promise.all([pair.alice.close(), pair.bob.close()])
  }
})
