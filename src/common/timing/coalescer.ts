/** A call that runs at most once per `delayMs`, however often it is asked for; `stop()` drops a pending run. */
export interface Coalescer {
  (): void
  stop: () => void
}

/**
 * Runs `run` once, `delayMs` after the first request of a burst. Unlike a
 * debounce (`@libp2p/utils`'s restarts its timer on every call), a steady
 * stream of requests cannot postpone the run forever.
 */
export function makeCoalescer (run: () => void, delayMs: number): Coalescer {
  let timer: ReturnType<typeof setTimeout> | undefined
  const request = (): void => {
    if (timer != null) return
    timer = setTimeout(() => {
      timer = undefined
      run()
    }, delayMs)
  }
  return Object.assign(request, { stop: () => { clearTimeout(timer); timer = undefined } })
}
