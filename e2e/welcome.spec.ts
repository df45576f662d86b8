import type { Locator, Page } from '@playwright/test'
import type { Page as FirefoxPage } from 'puppeteer-core'
import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'
import { waitForText } from './support/page-text.ts'

const FIRST = 'Hello Bob, this is my first message.'

/** Presses Tab until `target` has the focus, as a person does; fails after `max` presses. */
async function tabTo (page: Page, target: Locator, max = 25): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate(el => el === document.activeElement)) return
    await page.keyboard.press('Tab')
  }
  await expect(target).toBeFocused()
}

/** Bob's link to add him, as his popup shows it under *Your contact card*. */
async function cardLinkOf (bob: ExtensionProfile): Promise<string> {
  const popup = await bob.open('popup/popup.html')
  await expect(popup.locator('#own-card-link')).toHaveAttribute('href', /card=peerlink/)
  const link = (await popup.locator('#own-card-link').getAttribute('href'))!
  await popup.close()
  return link
}

test('first run: the welcome page opens by itself and takes a newcomer, by keyboard alone, from nothing to a first message Bob receives', async ({ relay }) => {
  const [alice, bob] = await Promise.all([
    ExtensionProfile.launch({ name: 'newcomer', keepWelcome: true }),
    ExtensionProfile.launch({ name: 'bob' })
  ])
  try {
    const [welcome] = await Promise.all([alice.welcomePage(), bob.useRelay(relay.address)])
    await welcome.bringToFront()
    await expect(welcome.getByRole('heading', { name: 'Welcome to Peerlink' })).toBeVisible()
    await expect(welcome.locator('#welcome-progress')).toHaveText('0 of 4 steps done')
    // Nothing was contacted before the person acted: no relay, no contact.
    expect(await alice.status()).toMatchObject({ relays: [], peers: [] })

    // 1. The relay: its address, then Enter. Focus goes on to the card.
    await tabTo(welcome, welcome.getByLabel('Relay address, or a contact card someone sent you'))
    await welcome.keyboard.insertText(relay.address)
    await welcome.keyboard.press('Enter')
    await expect(welcome.locator('#step-card-heading')).toBeFocused()
    await expect(welcome.locator('#step-relay')).toContainText('Done')

    // 2. The card, ready to send; Bob adds it on his side.
    await expect(welcome.getByRole('status').filter({ hasText: 'Your card is ready to send.' })).toBeVisible()
    await expect(welcome.getByRole('button', { name: 'Copy card' })).toBeVisible()
    await expect(welcome.getByRole('link', { name: 'Link to add me' })).toHaveAttribute('href', /card=peerlink/)
    const aliceCard = await welcome.locator('#welcome-card').textContent()
    const aliceId = (await alice.status()).peerId!
    await bob.api({ method: 'addPeer', card: aliceCard!, name: 'Alice' })

    // 3. Bob's link, a name, Enter. Focus goes on to the last step.
    await tabTo(welcome, welcome.getByLabel('Their contact card or link'))
    await welcome.keyboard.insertText(await cardLinkOf(bob))
    await welcome.keyboard.press('Tab')
    await expect(welcome.getByLabel('Name (optional)')).toBeFocused()
    await welcome.keyboard.type('Bob')
    await welcome.keyboard.press('Enter')
    await expect(welcome.getByRole('status').filter({ hasText: 'Bob is now your contact.' })).toBeVisible()

    // 4. The live check: connected to Bob, then the message box has the focus; type, Tab to Send, Enter.
    await expect(welcome.locator('#step-hello').getByRole('status').filter({ hasText: 'Connected to Bob' })).toBeVisible({ timeout: 30_000 })
    await expect(welcome.getByLabel('Message', { exact: true })).toBeFocused()
    await welcome.keyboard.type(FIRST)
    await welcome.keyboard.press('Tab')
    await expect(welcome.getByRole('button', { name: 'Send' })).toBeFocused()
    await welcome.keyboard.press('Enter')
    await expect(welcome.getByRole('status').filter({ hasText: 'Your first message: Delivered' })).toBeVisible()
    await expect(welcome.locator('#welcome-progress')).toHaveText('4 of 4 steps done')
    await expect.poll(async () => (await bob.messages(aliceId)).map(m => [m.direction, m.text])).toEqual([['in', FIRST]])

    // The options page's *Getting started* opens it again, every step done, read from the status.
    const options = await alice.open('options/options.html')
    await tabTo(options, options.getByRole('link', { name: 'Getting started' }))
    await options.keyboard.press('Enter')
    await expect(options).toHaveURL(alice.url('welcome/welcome.html'))
    await expect(options.locator('#welcome-progress')).toHaveText('4 of 4 steps done')
    await expect(options.locator('#step-hello').getByRole('status').filter({ hasText: 'Connected to Bob' })).toBeVisible()
  } finally {
    await Promise.all([alice.close(), bob.close()])
  }
})

test('an update or a browser update opens no welcome page; only an install does', async () => {
  const profile = await ExtensionProfile.launch({ name: 'updated' })
  try {
    const welcomeUrl = profile.url('welcome/welcome.html')
    /** Fires the worker's onInstalled as the browser does, with `reason`. */
    const installed = async (reason: string): Promise<void> => {
      await profile.status() // wakes the worker
      await profile.worker!.evaluate((r) => { (chrome.runtime.onInstalled as unknown as { dispatch: (d: { reason: string }) => void }).dispatch({ reason: r }) }, reason)
    }
    await installed('update')
    await installed('chrome_update')
    // A tab opened by either would be there well within this.
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(profile.context.pages().map(p => p.url())).not.toContain(welcomeUrl)
    // The same dispatch with 'install' does open it: the silence above was the reason's.
    await installed('install')
    await expect.poll(() => profile.context.pages().map(p => p.url())).toContain(welcomeUrl)
  } finally {
    await profile.close()
  }
})


/** Presses Tab until the element `selector` names has the focus. */
async function tabToIn (page: FirefoxPage, selector: string, max = 25): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.$eval(selector, el => el === document.activeElement)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${selector}; the focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))}`)
}

test('first run in Firefox: the welcome page opens at install and, by keyboard, takes the relay from Bob\'s card, adds Bob and sends him the first message', async ({ relay }) => {
  const [alice, bob] = await Promise.all([
    FirefoxProfile.launch({ name: 'newcomer-firefox', keepWelcome: true }),
    ExtensionProfile.launch({ name: 'bob' })
  ])
  try {
    const [welcome] = await Promise.all([alice.welcomePage(), bob.useRelay(relay.address)])
    await welcome.bringToFront()
    await waitForText(welcome, 'h1', 'Welcome to Peerlink', 30_000)
    const bobLink = await cardLinkOf(bob)

    // Bob's link pasted where a relay goes: his card's relay is offered, the focus on it; Enter takes it.
    await tabToIn(welcome, '#welcome-relay')
    await welcome.keyboard.type(bobLink)
    await welcome.keyboard.press('Enter')
    await waitForText(welcome, '#step-relay', 'Choose one to use it as yours too', 30_000)
    expect(await welcome.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Use relay ${relay.address}`)
    await welcome.keyboard.press('Enter')
    await waitForText(welcome, '#step-card', 'Your card is ready to send.', 30_000)
    expect(await welcome.evaluate(() => document.activeElement?.id)).toBe('step-card-heading')
    const aliceCard = await welcome.$eval('#welcome-card', el => el.textContent ?? '')
    const aliceId = (await alice.status()).peerId!
    expect((await alice.status()).relays.map(r => r.address)).toEqual([relay.address])
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })

    // The card waits in the contact step already: a name, Enter.
    expect(await welcome.$eval('#welcome-contact', el => (el as HTMLInputElement).value)).toMatch(/^peerlink:/)
    await tabToIn(welcome, '#welcome-contact-name')
    await welcome.keyboard.type('Bob')
    await welcome.keyboard.press('Enter')
    await waitForText(welcome, '#step-hello', 'Connected to Bob', 30_000)
    await tabToIn(welcome, '#welcome-message')
    await welcome.keyboard.type(FIRST)
    await welcome.keyboard.press('Enter')
    await waitForText(welcome, '#step-hello', 'Your first message: Delivered', 30_000)
    await expect.poll(async () => (await bob.messages(aliceId)).map(m => [m.direction, m.text])).toEqual([['in', FIRST]])
  } finally {
    await Promise.all([alice.close(), bob.close()])
  }
})
