const OFFSCREEN_PATH = 'offscreen/offscreen.html'

/** Creates the offscreen document that runs the libp2p node unless it exists; `ensure` answers true when it created it. */
export function makeOffscreenDocument (): { ensure: () => Promise<boolean> } {
  let creating: Promise<void> | undefined
  const url = chrome.runtime.getURL(OFFSCREEN_PATH)
  return {
    async ensure () {
      const contexts = await chrome.runtime.getContexts({
        contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
        documentUrls: [url]
      })
      if (contexts.length > 0) return false
      creating ??= chrome.offscreen.createDocument({
        url: OFFSCREEN_PATH,
        reasons: [chrome.offscreen.Reason.WEB_RTC],
        justification: 'Runs the libp2p node that holds WebRTC connections to the user\'s peers.'
      }).finally(() => { creating = undefined })
      await creating
      return true
    }
  }
}
