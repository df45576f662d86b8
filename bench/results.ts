/** The shape of bench/results.json, and how a partial run folds into it. */
import type { Section } from './sections.ts'
import type { TargetResult } from './targets.ts'
import type { GrowthSeries } from './growth-math.ts'

export interface Figure {
  key: string
  name: string
  unit: string
  median: number
  runs: number[]
  /** The section that measured it, so a partial run replaces exactly its own figures. */
  section?: Section
}

export interface BundleEntry {
  name: string
  /** Bytes of the entry and every chunk it imports statically. */
  bytes: number
  files: Array<{ file: string, bytes: number }>
}

export interface Results {
  date: string
  /** When each section was last measured (a partial run updates only its own). */
  measured: Partial<Record<Section, string>>
  figures: Figure[]
  ratios: Record<string, number>
  targets: TargetResult[]
  /** Per-message times of the latency runs, ms, for the histograms. */
  samples: Record<string, number[]>
  growth: GrowthSeries[]
  bundle: BundleEntry[]
}

/** An empty results file. */
export function emptyResults (date: string): Results {
  return { date, measured: {}, figures: [], ratios: {}, targets: [], samples: {}, growth: [], bundle: [] }
}

/**
 * Folds a run's results into what the file held: the sections `fresh`
 * measured replace theirs, the others stay as they were, with their dates
 * in `measured`. A full run replaces everything.
 */
export function mergeResults (previous: Partial<Results> | undefined, fresh: Results, sections: Section[]): Results {
  const old = { ...emptyResults(fresh.date), ...previous }
  const ran = new Set<string>(sections)
  const kept = <T extends { section?: Section }>(items: T[]): T[] => items.filter(i => i.section == null || !ran.has(i.section))
  return {
    date: fresh.date,
    measured: { ...old.measured, ...fresh.measured },
    // A figure measured again replaces the old one, whichever section measured it (throughput measures the libp2p stream too when layers is not run).
    figures: [...kept(old.figures).filter(f => !fresh.figures.some(n => n.key === f.key)), ...fresh.figures],
    ratios: { ...old.ratios, ...fresh.ratios },
    // Targets are recomputed from the merged figures by the caller.
    targets: fresh.targets,
    samples: { ...old.samples, ...fresh.samples },
    growth: [...kept(old.growth), ...fresh.growth],
    bundle: ran.has('bundle') ? fresh.bundle : old.bundle
  }
}
