export interface RetryOptions {
  /** Tries in all, the first included (`Infinity`: until it succeeds or fails otherwise). */
  attempts: number
  /** Whether a failure is worth another try; any other failure is thrown at once. */
  retryIf: (err: unknown) => boolean
  /** Pause between tries. */
  pauseMs?: number
}

/** Runs `call` until it succeeds, fails in a way `retryIf` refuses, or runs out of attempts. */
export async function retry<T> (call: () => Promise<T>, { attempts, retryIf, pauseMs = 0 }: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      if (!retryIf(err) || attempt >= attempts) throw err
      if (pauseMs > 0) await new Promise(resolve => setTimeout(resolve, pauseMs))
    }
  }
}
