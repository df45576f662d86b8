/**
 * The performance targets, in one table, and how a run's figures compare
 * with them. A ratio is figure / target: at least 1 meets an "at least"
 * target, below 1 meets a "below" one. Nothing fails on time; a missed
 * target is reported, never thrown.
 */
export type Lookup = (key: string) => number | undefined

export interface Target {
  key: string
  name: string
  unit: string
  /** `atLeast`: the figure must reach the target; `below`: it must stay under it. */
  sense: 'atLeast' | 'below'
  target: number
  /** The figure, from the run's figures by key; undefined when a partial run did not measure it. */
  figure: (get: Lookup) => number | undefined
}

const ratioOf = (a: number | undefined, b: number | undefined): number | undefined => a == null || b == null || b === 0 ? undefined : a / b

/** Heap over the last third of the stall / the middle third: "flat" allows 10 % of noise. */
const FLAT_HEAP = 1.1

/**
 * The targets are set by what the two shared cores allow (docs/performance.md
 * gives the account): the first five are those of the second pass on
 * durable messaging, each a figure or a ratio from one run.
 */
export const TARGETS: Target[] = [
  { key: 'throughput.64k.ratio', name: '64 KiB throughput, Peerlink / libp2p stream', unit: '×', sense: 'atLeast', target: 0.65, figure: get => ratioOf(get('peerlink.64k.mbps'), get('libp2p.throughput')) },
  { key: 'throughput.1k.msgs', name: 'durable 1 KiB messages per second (sendMany)', unit: 'msg/s', sense: 'atLeast', target: 3_000, figure: get => get('peerlink.1k.msgs') },
  { key: 'throughput.1k.cpu', name: 'CPU per durable 1 KiB message (both browsers, every process)', unit: 'ms', sense: 'below', target: 0.7, figure: get => get('peerlink.1k.cpu') },
  { key: 'latency.p50', name: 'send → delivered p50, 100 B', unit: 'ms', sense: 'below', target: 10, figure: get => get('peerlink.latency.p50') },
  { key: 'latency.floor', name: 'send → delivered p50 / the floor (two strict transactions, round trip)', unit: '×', sense: 'below', target: 1.3, figure: get => ratioOf(get('peerlink.latency.p50'), get('latency.floor')) },
  { key: 'wake.delivery', name: 'wake → delivered, receiver’s worker stopped', unit: 'ms', sense: 'below', target: 150, figure: get => get('wake.delivery') },
  { key: 'recovery.reset', name: 'stream reset → next delivery', unit: 'ms', sense: 'below', target: 1_000, figure: get => get('recovery.reset') },
  { key: 'idle.cpu', name: 'idle, 50 contacts: whole-browser CPU (connections let go)', unit: '% of a core', sense: 'below', target: 5, figure: get => get('peers.rested.cpu') },
  { key: 'idle.keepalive', name: 'idle, 50 contacts: keepalive traffic (connections let go)', unit: 'B/s', sense: 'below', target: 300, figure: get => get('peers.rested.wire') },
  { key: 'popup.list', name: 'open the popup → the list of conversations shown', unit: 'ms', sense: 'below', target: 150, figure: get => get('popup.list') },
  { key: 'memory.flat', name: 'memory with a stalled receiver flat (heap last / middle third)', unit: '×', sense: 'below', target: FLAT_HEAP, figure: get => ratioOf(get('memory.heap.last'), get('memory.heap.middle')) }
]

export interface TargetResult {
  key: string
  name: string
  unit: string
  sense: Target['sense']
  target: number
  figure: number | null
  /** figure / target; null when not measured. */
  ratio: number | null
  met: boolean | null
}

/** Compares the figures `get` finds with every target. */
export function evaluateTargets (get: Lookup, targets: Target[] = TARGETS): TargetResult[] {
  return targets.map((t) => {
    const figure = t.figure(get)
    if (figure == null || !Number.isFinite(figure)) return { key: t.key, name: t.name, unit: t.unit, sense: t.sense, target: t.target, figure: null, ratio: null, met: null }
    const ratio = figure / t.target
    return { key: t.key, name: t.name, unit: t.unit, sense: t.sense, target: t.target, figure, ratio, met: t.sense === 'atLeast' ? ratio >= 1 : ratio < 1 }
  })
}

/** "≥ 10,000 msg/s" or "< 5 ms": a target as people write it. */
export function describeTarget (t: Pick<TargetResult, 'sense' | 'target' | 'unit'>): string {
  return `${t.sense === 'atLeast' ? '≥' : '<'} ${t.target.toLocaleString('en-US')}${t.unit === '×' ? '' : ` ${t.unit}`}`
}

/** One printed line per target: figure, target, ratio, met or missed. */
export function formatTargetLine (r: TargetResult): string {
  const figure = r.figure == null ? 'not measured' : `${formatNumber(r.figure)}${r.unit === '×' ? '' : ` ${r.unit}`}`
  const verdict = r.met == null ? '' : r.met ? 'met' : 'missed'
  const ratio = r.ratio == null ? '' : r.ratio.toFixed(2)
  return `  ${r.name.padEnd(64)} ${figure.padStart(14)}  target ${describeTarget(r).padEnd(12)} ratio ${ratio.padStart(6)}  ${verdict}`
}

/** Figures as they read best: thousands grouped, small ones with decimals. */
export function formatNumber (n: number): string {
  const abs = Math.abs(n)
  if (abs >= 1_000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  return n.toFixed(2)
}
