// bench/report/: the results drawn as a page and a chart (svg.ts draws, report.ts lays out and writes).
/**
 * bench/report.html (one self-contained page: inline SVG, no script, no
 * network) and docs/bench-headline.svg (the README's chart), both from
 * bench/results.json. Every bench run writes them; `npx tsx bench/report/report.ts`
 * writes them again from the results file alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { GrowthSeries } from '../growth-math.ts'
import type { Results } from '../results.ts'
import { barChart, compose, COLORS, escapeXml, histogram, label, lineChart, targetsChart } from './svg.ts'
import { describeTarget, evaluateTargets, formatNumber, type TargetResult } from '../targets.ts'

const here = (path: string): URL => new URL(path, import.meta.url)
export const RESULTS_PATH = here('../results.json')
export const REPORT_PATH = here('../report.html')
export const HEADLINE_PATH = here('../../docs/bench-headline.svg')
/** A run kept from before the message-path work, for the before/after columns (absent: no such columns). */
export const BASELINE_PATH = here('../baseline-2026-11-22.json')

const lookup = (results: Pick<Results, 'figures'>) => (key: string): number | undefined => results.figures.find(f => f.key === key)?.median

/** The layers side by side: throughput, and one round trip against Peerlink's send → delivered. */
function layerCharts (results: Results, x: number, y: number): { svg: string, height: number } {
  const get = lookup(results)
  const throughput = barChart({
    title: 'Throughput, 64 KiB messages',
    unit: 'MB/s',
    standalone: false,
    x,
    y,
    bars: [
      { label: 'RTCDataChannel', value: get('raw.throughput') ?? null, color: COLORS.raw },
      { label: 'libp2p stream', value: get('libp2p.throughput') ?? null, color: COLORS.libp2p },
      { label: 'Peerlink', value: get('peerlink.64k.mbps') ?? null, color: COLORS.peerlink, note: '(durable)' }
    ]
  })
  const latency = barChart({
    title: 'Round trip, 100 B (Peerlink: send → delivered p50)',
    unit: 'ms',
    standalone: false,
    x: x + 380,
    y,
    bars: [
      { label: 'RTCDataChannel', value: get('raw.rtt') ?? null, color: COLORS.raw },
      { label: 'libp2p stream', value: get('libp2p.rtt') ?? null, color: COLORS.libp2p },
      { label: 'Peerlink', value: get('peerlink.latency.p50') ?? null, color: COLORS.peerlink }
    ]
  })
  return { svg: throughput + latency, height: 124 }
}

/** Target rows for the chart: figure and target in words, and how far from the target (above 1 is on the good side). */
function targetRows (targets: TargetResult[]): Array<{ name: string, figure: string, target: string, goodness: number | null, met: boolean | null }> {
  return targets.map(t => ({
    name: t.name.replace(/ \(.*\)$/, ''),
    figure: t.figure == null ? '–' : `${formatNumber(t.figure)}${t.unit === '×' ? '' : ` ${t.unit}`}`,
    target: describeTarget(t),
    goodness: t.ratio == null ? null : t.sense === 'atLeast' ? t.ratio : 1 / t.ratio,
    met: t.met
  }))
}

/** The README's chart: the layers side by side over the targets. */
export function headlineSvg (results: Results): string {
  const layers = layerCharts(results, 0, 36)
  const targets = targetsChart({ title: 'Targets: how far each figure is from its target', rows: targetRows(results.targets), standalone: false, x: 0, y: 36 + layers.height + 16, width: 760 })
  const height = 36 + layers.height + 16 + 30 + results.targets.length * 26 + 24
  const heading = `<text x="0" y="18" font-size="15" font-weight="700" fill="${COLORS.text}">Peerlink on one machine: each layer, and the targets</text>` +
    `<text x="760" y="18" text-anchor="end" font-size="11" fill="${COLORS.muted}">npm run bench, ${escapeXml(results.date.slice(0, 10))}</text>`
  return compose(760, height, [heading, layers.svg, targets], 'Peerlink benchmark: layers side by side and targets')
}

/** Which growth chart a series goes in: history's sender and receiver share one per measure, peers' one per unit. */
function chartKey (s: GrowthSeries): string {
  if (s.section === 'history') return s.key.replace(/\.(sender|receiver)\./, '.')
  if (s.section === 'peers') return `peers ${s.unit}`
  return s.key
}

/** The growth curves, one small chart per measure. */
function growthCharts (series: GrowthSeries[]): string {
  const groups = new Map<string, GrowthSeries[]>()
  for (const s of series) groups.set(chartKey(s), [...(groups.get(chartKey(s)) ?? []), s])
  return [...groups.values()].map((group) => {
    const first = group[0]!
    const title = group.length === 1 ? first.name : first.section === 'history' ? first.name.replace(/^(sender|receiver): /, '') : group.map(g => g.name.split(',')[0]).join(' / ')
    return `<figure>${lineChart({
      title,
      xLabel: first.sizeLabel,
      unit: first.unit,
      series: group.map(s => ({ name: group.length === 1 ? s.sizeLabel : s.section === 'history' ? s.name.split(':')[0]! : s.name, points: s.sizes.map((size, i) => [size, s.values[i]!] as [number, number]) }))
    })}</figure>`
  }).join('\n')
}

function growthTable (series: GrowthSeries[]): string {
  const rows = series.map(s => `<tr class="${s.fasterThanWork ? 'missed' : ''}"><td>${escapeXml(s.name)}</td><td>${escapeXml(s.unit)}</td>` +
    s.values.map((v, i) => `<td class="n" title="${s.sizes[i]} ${escapeXml(s.sizeLabel)}">${label(v)}</td>`).join('') +
    `<td class="n">${s.steps.map(st => `×${st.ratio.toFixed(2)}`).join(' ')}</td><td class="n">${s.worstExponent.toFixed(2)}</td>` +
    `<td>${s.expected === 'flat' ? 'flat' : 'with the size'}</td><td>${escapeXml(s.verdict)}</td></tr>`).join('\n')
  const sizes = series[0]?.sizes.map(n => `<th class="n">${label(n)}</th>`).join('') ?? ''
  return `<table><thead><tr><th>measure</th><th>unit</th>${sizes}<th class="n">per step</th><th class="n">k</th><th>the work grows</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`
}

function targetsTable (targets: TargetResult[], baseline: TargetResult[] | undefined): string {
  const before = (key: string): string => {
    const b = baseline?.find(t => t.key === key)
    return b?.figure == null ? '' : `<td class="n">${formatNumber(b.figure)}</td>`
  }
  const head = `<tr><th>target</th><th class="n">goal</th>${baseline != null ? '<th class="n">baseline</th>' : ''}<th class="n">figure</th><th class="n">figure / target</th><th></th></tr>`
  const rows = targets.map(t => `<tr class="${t.met === false ? 'missed' : t.met === true ? 'met' : ''}"><td>${escapeXml(t.name)}</td><td class="n">${escapeXml(describeTarget(t))}</td>` +
    `${baseline != null ? before(t.key) || '<td></td>' : ''}<td class="n">${t.figure == null ? 'not measured' : escapeXml(`${formatNumber(t.figure)} ${t.unit === '×' ? '' : t.unit}`)}</td>` +
    `<td class="n">${t.ratio == null ? '' : t.ratio.toFixed(2)}</td><td>${t.met == null ? '' : t.met ? 'met' : 'missed'}</td></tr>`).join('\n')
  return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`
}

const SAMPLE_TITLES: Record<string, string> = {
  'peerlink.latency': 'Peerlink send → delivered, 100 B, Chromium ↔ Chromium',
  'firefox.latency': 'Peerlink send → delivered, 100 B, Firefox → Chromium'
}

/** The whole report page. */
export function reportHtml (results: Results, baseline?: Results): string {
  const layers = layerCharts(results, 0, 0)
  const histograms = Object.entries(results.samples).map(([key, values]) =>
    `<figure>${histogram({ title: SAMPLE_TITLES[key] ?? key, unit: 'ms', values, width: 380 })}</figure>`).join('\n')
  const bundle = results.bundle.filter(b => !b.name.includes('lazily'))
  const bundleChart = bundle.length === 0 ? '' : barChart({ title: 'Bytes each entry loads before it runs', unit: 'kB', width: 560, bars: bundle.map(b => ({ label: b.name.replace(/ \(.*\)$/, ''), value: b.bytes / 1000, color: b.name === 'service worker' ? COLORS.peerlink : COLORS.libp2p })) })
  const bundleRows = results.bundle.map(b => `<tr><td>${escapeXml(b.name)}</td><td class="n">${(b.bytes / 1000).toFixed(1)} kB</td><td>${b.files.sort((a, c) => c.bytes - a.bytes).map(f => `${escapeXml(f.file)} ${(f.bytes / 1000).toFixed(1)}`).join(', ')}</td></tr>`).join('\n')
  const figureRows = results.figures.map(f => `<tr><td>${escapeXml(f.name)}</td><td class="n">${formatNumber(f.median)}</td><td>${escapeXml(f.unit)}</td><td class="muted">${f.runs.map(v => label(v)).join(', ')}</td></tr>`).join('\n')
  const measured = Object.entries(results.measured).map(([s, d]) => `${escapeXml(s)} ${escapeXml(String(d).slice(0, 16).replace('T', ' '))}`).join(' · ')
  const growthFor = (section: string): GrowthSeries[] => results.growth.filter(g => g.section === section)
  const growthBlock = (section: string, heading: string): string => growthFor(section).length === 0 ? '' :
    `<h3>${escapeXml(heading)}</h3><div class="charts">${growthCharts(growthFor(section))}</div>${growthTable(growthFor(section))}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peerlink bench report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; max-width: 1100px; margin: 2em auto; padding: 0 1em }
h1 { font-size: 1.5em } h2 { margin-top: 2em; border-bottom: 1px solid #dde1e5 } h3 { margin-top: 1.4em }
table { border-collapse: collapse; margin: .6em 0 } th, td { padding: 3px 10px; border-bottom: 1px solid #eceef1; text-align: left; vertical-align: top }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums } tr.missed td { color: #b62324 } tr.met td:last-child { color: #1a7f37 }
.charts { display: flex; flex-wrap: wrap; gap: 12px } figure { margin: 0 } .muted { color: #57606a }
</style></head><body>
<h1>Peerlink bench report</h1>
<p class="muted">Written by <code>npm run bench</code> from bench/results.json, ${escapeXml(results.date)}. Sections measured: ${measured}.</p>

<h2>The layers side by side</h2>
<p>A bare RTCDataChannel between two pages, a raw libp2p stream between the offscreen documents, and Peerlink end to end (each message stored on both sides and acknowledged).</p>
<svg xmlns="http://www.w3.org/2000/svg" width="760" height="${layers.height}" viewBox="0 0 760 ${layers.height}">${layers.svg}</svg>

<h2>Targets</h2>
${targetsChart({ title: 'How far each figure is from its target', rows: targetRows(results.targets), width: 760 })}
${targetsTable(results.targets, baseline?.targets)}

<h2>How cost grows</h2>
<p>Each measure at three sizes. k is the largest per-step exponent (value ∝ size<sup>k</sup>): 0 is flat, 1 grows with the size. A measure grows faster than the work when k exceeds what the work needs (0 for work that does not depend on the size, 1 for work proportional to it) by more than 0.3.</p>
${growthBlock('history', 'Stored messages in one conversation')}
${growthBlock('peers', 'Connected peers, idle')}
${growthBlock('contacts', 'Contacts')}

<h2>Latency histograms</h2>
<div class="charts">${histograms}</div>

<h2>Bundle sizes</h2>
${bundleChart}
<table><thead><tr><th>entry</th><th class="n">bytes</th><th>files (kB)</th></tr></thead><tbody>${bundleRows}</tbody></table>

<h2>Every figure</h2>
<table><thead><tr><th>figure</th><th class="n">median</th><th>unit</th><th>runs</th></tr></thead><tbody>${figureRows}</tbody></table>
</body></html>
`
}

/** Writes bench/report.html and docs/bench-headline.svg from `results`; answers what it wrote. */
export function writeReport (results: Results): string[] {
  const baseline = existsSync(BASELINE_PATH) ? JSON.parse(readFileSync(BASELINE_PATH, 'utf8')) as Results : undefined
  writeFileSync(REPORT_PATH, reportHtml(results, baseline))
  writeFileSync(HEADLINE_PATH, headlineSvg(results))
  return ['bench/report.html', 'docs/bench-headline.svg']
}

// Alone: `npx tsx bench/report/report.ts` writes both again from bench/results.json.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as Results
  results.samples ??= {}
  results.growth ??= []
  results.bundle ??= []
  results.measured ??= {}
  results.targets = evaluateTargets(lookup(results))
  console.log(`written: ${writeReport(results).join(', ')}`)
}
