const OFFSCREEN_PATH = 'offscreen/offscreen.html'

export interface OffscreenDocument {
  /** Creates the document unless it exists; answers true when it created it. */
  ensure: () => Promise<boolean>
  exists: () => Promise<boolean>
}

/** The offscreen document that runs the libp2p node. */
export function makeOffscreenDocument (): OffscreenDocument {
  let creating: Promise<void> | undefined
  const url = chrome.runtime.getURL(OFFSCREEN_PATH)
  const exists = async (): Promise<boolean> => (await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [url]
  })).length > 0
  return {
    exists,
    async ensure () {
      if (await exists()) return false
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
