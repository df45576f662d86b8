import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, makePair, pairUp, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'

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

/** What the test reads and does on a chat page: Playwright's and Puppeteer's (Firefox) pages both have it. */
interface ChatPage {
  $eval: <A>(selector: string, fn: (el: Element, arg: A) => string, arg: A) => Promise<string>
}

/** Types `text` into a chat page and submits it, as a person pressing Enter; resolves once the library answered the send. */
async function sayIn (page: ChatPage, text: string): Promise<void> {
  await page.$eval('#text', (el, value) => {
    const input = el as HTMLInputElement
    input.value = value
    input.form!.requestSubmit()
    return ''
  }, text)
  await expect.poll(async () => await page.$eval('#text', el => (el as HTMLInputElement).value, null), { timeout: 30_000 }).toBe('')
}

test('Firefox: the example chat add-on, built on the client library: refused until allowed, then it messages, and again after Peerlink\'s background page restarted', async ({ relay }) => {
  const geckoId = (JSON.parse(readFileSync(resolve(EXAMPLE_DIR, 'manifest.json'), 'utf8')) as { browser_specific_settings: { gecko: { id: string } } }).browser_specific_settings.gecko.id
  const client = `extension:${geckoId}`
  const firefox = await FirefoxProfile.launch({ name: 'firefox', extraExtensions: [EXAMPLE_DIR] })
  const chromium = await ExtensionProfile.launch({ name: 'chromium' })
  try {
    const [firefoxId, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
    const page = await firefox.openExtensionPage(geckoId, `chat.html?peerlink=${encodeURIComponent(firefox.geckoId)}`) as unknown as ChatPage
    const state = async (): Promise<string> => await page.$eval('#state', el => (el as HTMLElement).dataset.state ?? '', null)
    await expect.poll(state).toBe('refused')
    await firefox.api({ method: 'allowClient', client })
    await expect.poll(state, { timeout: 30_000 }).toBe('subscribed')
    await expect.poll(async () => await page.$eval('#peer', el => (el as HTMLSelectElement).value, null)).toBe(chromiumId)

    await sayIn(page, 'from the example in Firefox')
    const lastOut = async (): Promise<string> => await page.$eval('#messages li[data-direction="out"]:last-child', el => (el as HTMLElement).dataset.state ?? '', null)
    await expect.poll(lastOut, { timeout: 30_000 }).toBe('delivered')
    // Firefox's background page restarts: the library's requests port closes, and the next send still arrives, once.
    await firefox.restartBackground()
    await sayIn(page, 'after the background page restarted')
    await expect.poll(lastOut, { timeout: 30_000 }).toBe('delivered')
    // At Chromium they wait on the add-on's channel, in order; Peerlink's own conversation never shows them.
    expect((await chromium.api({ method: 'getMessages', peerId: firefoxId, channel: client })).map(m => m.text)).toEqual(['from the example in Firefox', 'after the background page restarted'])
    expect(await chromium.messages(firefoxId)).toEqual([])
  } finally {
    await Promise.all([firefox.close(), chromium.close()])
  }
})
