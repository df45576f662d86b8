/**
 * CPU time of a whole Chromium (its browser process and every process
 * under it: renderers, the extension's, network, GPU) from /proc, for
 * "CPU while idle". Linux only; elsewhere it answers null.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

interface Proc { pid: number, ppid: number, ticks: number }

/** Parses one /proc/<pid>/stat line: its parent and utime + stime in ticks. */
export function parseStat (line: string): { ppid: number, ticks: number } {
  // The command name is in parentheses and may hold spaces: fields count from after its closing one.
  const rest = line.slice(line.lastIndexOf(')') + 2).split(' ')
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) }
}

function processes (): Proc[] {
  const out: Proc[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      out.push({ pid: Number(name), ...parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')) })
    } catch { /* gone meanwhile */ }
  }
  return out
}

/** The pids of `roots` and all their descendants among `procs`. */
export function descendants (procs: Array<{ pid: number, ppid: number }>, roots: number[]): Set<number> {
  const tree = new Set(roots)
  let grew = true
  while (grew) {
    grew = false
    for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.add(p.pid); grew = true }
  }
  return tree
}

/** Seconds of CPU used so far by the Chromium whose profile is `userDataDir`, or null where /proc is not there. */
export function browserCpuSeconds (userDataDir: string): number | null {
  if (!existsSync('/proc/self/stat')) return null
  const procs = processes()
  const roots = procs.filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').includes(`--user-data-dir=${userDataDir}`)
    } catch { return false }
  }).map(p => p.pid)
  if (roots.length === 0) return null
  const tree = descendants(procs, roots)
  return procs.filter(p => tree.has(p.pid)).reduce((sum, p) => sum + p.ticks, 0) / TICKS_PER_SECOND
}
