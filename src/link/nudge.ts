/**
 * Runs `call`, and calls `nudge` if it has not settled within `afterMs`:
 * for a callee that may be asleep (Chrome stops an idle worker, and its link
 * gives no sign) and wakes up when nudged.
 */
export async function withNudge<T> (call: () => Promise<T>, nudge: (() => void) | undefined, afterMs: number): Promise<T> {
  const timer = nudge == null ? undefined : setTimeout(nudge, afterMs)
  try {
    return await call()
  } finally {
    clearTimeout(timer)
  }
}
