/**
 * A small disk of its own (a tmpfs mounted for the test; needs root) to put
 * a browser profile on, and fill: what a user's full disk does to Chromium,
 * for real. Peerlink asks for `unlimitedStorage`, so the browser's quota
 * (and a quota set through DevTools, which Chromium does not enforce on such
 * an origin) never refuses it: only the disk does.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Check } from './prerequisite.ts'

export interface SmallDisk {
  /** Where it is mounted. */
  readonly dir: string
  /** Bytes free on it now. */
  free: () => number
  /** Takes all but `leaveBytes` of what is free (a file of its own). */
  fill: (leaveBytes: number) => void
  /** Gives back what `fill` took. */
  empty: () => void
  /** Unmounts it and removes its folder; what is on it is gone. */
  remove: () => void
}

/** Whether this machine can mount a small disk for a test (root, and `mount` allowed). */
export function smallDiskSupport (): Check {
  if (process.platform !== 'linux') return { ok: false, reason: 'a small disk (tmpfs) needs Linux' }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'mounting a small disk (tmpfs) needs root' }
  let disk: SmallDisk | undefined
  try {
    disk = mountSmallDisk(1024 * 1024)
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}` }
  } finally {
    disk?.remove()
  }
}

/** Mounts a tmpfs of `sizeBytes` on a new folder. */
export function mountSmallDisk (sizeBytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'peerlink-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' })
  const filler = join(dir, 'filler')
  const free = (): number => Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).split('\n')[1])
  return {
    dir,
    free,
    fill: (leaveBytes) => { execFileSync('fallocate', ['-l', String(free() - leaveBytes), filler], { stdio: 'pipe' }) },
    empty: () => { rmSync(filler, { force: true }) },
    remove: () => {
      // Lazily: a browser child still closing its files lets go of it a moment later.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
