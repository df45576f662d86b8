/**
 * Suites that need something of the machine (root, network namespaces,
 * coturn): skipped elsewhere, saying why; in CI (`CI=true`), which installs
 * all of it, a missing prerequisite fails the run instead, since a skipped
 * suite there would leave CI green with the suite never run.
 */

/** Whether a prerequisite holds, and if not, why not in one line. */
export type Check = { ok: true } | { ok: false, reason: string }

export interface Prerequisite {
  /** Skip the suite: the prerequisite is missing and this is not CI. */
  skip: boolean
  /** The one line a skip or a failure gives, or '' when the prerequisite holds. */
  reason: string
  /** Throws the reason in CI when the prerequisite is missing; call it where the suite begins (a beforeAll). */
  assert: () => void
}

/** Whether this run is CI's, where every suite must run. */
export function inCi (env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1'
}

/** What `suite` does about `check`: nothing if it holds; otherwise skip with the reason, or fail with it in CI. Says it once, in one line. */
export function prerequisite (suite: string, check: Check, env: NodeJS.ProcessEnv = process.env): Prerequisite {
  if (check.ok) return { skip: false, reason: '', assert: () => {} }
  const ci = inCi(env)
  const reason = `${suite}: ${ci ? 'cannot run in CI' : 'skipped'}: ${check.reason}`
  // The reporters show a skip without its reason: say it here.
  console.log(reason)
  return { skip: !ci, reason, assert: () => { throw new PrerequisiteMissingError(reason) } }
}

/** A suite CI must run cannot run on this machine. */
export class PrerequisiteMissingError extends Error {
  override readonly name = 'PrerequisiteMissingError'
}
