/** What `waitForText` needs of a page: Playwright's and Puppeteer's (Firefox) both have it. */
interface TextSource {
  $eval: (selector: string, read: (el: Element) => string) => Promise<string>
}

/** Polls the page's text until `selector` shows `text`; fails saying what it showed instead. */
export async function waitForText (page: TextSource, selector: string, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    last = await page.$eval(selector, el => el.textContent ?? '').catch(() => '')
    if (last.includes(text)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`"${selector}" never showed "${text}"; it showed "${last}"`)
}
