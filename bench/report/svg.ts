/**
 * Plain SVG charts for the bench's report and the README: horizontal bars,
 * small line charts over a log scale, histograms, and the targets. No
 * library and no script: each function answers a self-contained `<svg>`.
 */

export const COLORS = { raw: '#8c96a0', libp2p: '#4e79a7', peerlink: '#f28e2b', met: '#59a14f', missed: '#e15759', grid: '#dde1e5', text: '#24292f', muted: '#57606a' }
const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1']
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'

/** Text made safe inside SVG or HTML. */
export function escapeXml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** A number short enough for a label: 3 significant digits, thousands grouped. */
export function label (n: number): string {
  if (!Number.isFinite(n)) return '–'
  const abs = Math.abs(n)
  if (abs >= 1_000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  if (abs >= 1) return n.toFixed(2)
  return n.toPrecision(2)
}

const r = (n: number): string => String(Math.round(n * 10) / 10)

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceMax (max: number): number {
  if (!(max > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

export interface Bar { label: string, value: number | null, color?: string, note?: string }

/** Horizontal bars with their values, on a linear axis from 0. */
export function barChart (spec: { title: string, unit: string, bars: Bar[], width?: number, x?: number, y?: number, standalone?: boolean }): string {
  const width = spec.width ?? 360
  const labelWidth = 120
  const barHeight = 22
  const top = 28
  const height = top + spec.bars.length * (barHeight + 8) + 6
  const max = niceMax(Math.max(...spec.bars.map(b => b.value ?? 0)))
  const plot = width - labelWidth - 70
  const rows = spec.bars.map((b, i) => {
    const y = top + i * (barHeight + 8)
    const w = b.value == null ? 0 : Math.max(1, (b.value / max) * plot)
    const text = b.value == null ? 'not measured' : `${label(b.value)} ${spec.unit}${b.note != null ? ` ${b.note}` : ''}`
    return `<text x="${labelWidth - 8}" y="${r(y + barHeight * 0.68)}" text-anchor="end" font-size="12" fill="${COLORS.text}">${escapeXml(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${r(w)}" height="${barHeight}" rx="3" fill="${b.color ?? COLORS.libp2p}"/>` +
      `<text x="${r(labelWidth + w + 6)}" y="${r(y + barHeight * 0.68)}" font-size="12" fill="${COLORS.text}">${escapeXml(text)}</text>`
  }).join('')
  const body = `<text x="0" y="16" font-size="13" font-weight="600" fill="${COLORS.text}">${escapeXml(spec.title)}</text>${rows}`
  return wrap(body, width, height, spec)
}

/** One target per row: how far the figure is from its target on a log scale, the target at the middle line; green met, red missed. */
export function targetsChart (spec: { title: string, rows: Array<{ name: string, figure: string, target: string, goodness: number | null, met: boolean | null }>, width?: number, x?: number, y?: number, standalone?: boolean }): string {
  const width = spec.width ?? 720
  // Wide enough for the longest name and the longest figure, target and verdict, at about 6.2 px a character of 12 px text.
  const textWidth = (chars: number): number => Math.ceil(chars * 6.2) + 12
  const verdictOf = (met: boolean | null): string => met == null ? 'not measured' : met ? 'met' : 'missed'
  const nameWidth = Math.max(200, textWidth(Math.max(...spec.rows.map(row => row.name.length))))
  const infoWidth = Math.max(200, textWidth(Math.max(...spec.rows.map(row => `${row.figure} (${row.target}) ${verdictOf(row.met)}`.length))))
  const rowHeight = 26
  const top = 30
  const height = top + spec.rows.length * rowHeight + 22
  const plot = Math.max(120, width - nameWidth - infoWidth)
  const mid = nameWidth + plot / 2
  // log10 of goodness from -1.5 (31× short) to +1.5 (31× better), clamped.
  const span = 1.5
  const xOf = (goodness: number): number => mid + Math.max(-span, Math.min(span, Math.log10(goodness))) / span * (plot / 2)
  const rows = spec.rows.map((row, i) => {
    const y = top + i * rowHeight
    const text = `<text x="${nameWidth - 8}" y="${y + 15}" text-anchor="end" font-size="12" fill="${COLORS.text}">${escapeXml(row.name)}</text>`
    const info = `<text x="${nameWidth + plot + 8}" y="${y + 15}" font-size="12" fill="${row.met === false ? COLORS.missed : COLORS.text}">${escapeXml(`${row.figure} (${row.target}) ${verdictOf(row.met)}`)}</text>`
    if (row.goodness == null) return text + info
    const x = xOf(row.goodness)
    const color = row.met === true ? COLORS.met : COLORS.missed
    return text + `<rect x="${r(Math.min(mid, x))}" y="${y + 4}" width="${r(Math.max(1, Math.abs(x - mid)))}" height="16" rx="2" fill="${color}"/>` + info
  }).join('')
  const axisY = top + spec.rows.length * rowHeight
  const axis = `<line x1="${r(mid)}" y1="${top - 4}" x2="${r(mid)}" y2="${axisY}" stroke="${COLORS.text}" stroke-width="1.5"/>` +
    `<text x="${r(mid)}" y="${axisY + 14}" text-anchor="middle" font-size="11" fill="${COLORS.muted}">target</text>` +
    `<text x="${r(nameWidth)}" y="${axisY + 14}" font-size="11" fill="${COLORS.muted}">← 30× short</text>` +
    `<text x="${r(nameWidth + plot)}" y="${axisY + 14}" text-anchor="end" font-size="11" fill="${COLORS.muted}">30× better →</text>`
  const body = `<text x="0" y="16" font-size="13" font-weight="600" fill="${COLORS.text}">${escapeXml(spec.title)}</text>${axis}${rows}`
  return wrap(body, width, height, spec)
}

export interface LineSeries { name: string, points: Array<[x: number, y: number]> }

/** Series over a log x axis (sizes), linear y from 0: the growth curves. */
export function lineChart (spec: { title: string, xLabel: string, unit: string, series: LineSeries[], width?: number, height?: number, x?: number, y?: number, standalone?: boolean }): string {
  const width = spec.width ?? 340
  const height = spec.height ?? 220
  const left = 52
  const right = 14
  const top = 40
  const bottom = 34
  const xs = spec.series.flatMap(s => s.points.map(p => p[0])).filter(x => x > 0)
  const ys = spec.series.flatMap(s => s.points.map(p => p[1])).filter(Number.isFinite)
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  const yMax = niceMax(Math.max(0, ...ys))
  const px = (x: number): number => x1 === x0 ? left : left + (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) * (width - left - right)
  const py = (y: number): number => top + (1 - y / yMax) * (height - top - bottom)
  const grid = [0, 0.5, 1].map(f => `<line x1="${left}" y1="${r(py(yMax * f))}" x2="${width - right}" y2="${r(py(yMax * f))}" stroke="${COLORS.grid}"/>` +
    `<text x="${left - 4}" y="${r(py(yMax * f) + 4)}" text-anchor="end" font-size="10" fill="${COLORS.muted}">${label(yMax * f)}</text>`).join('')
  const ticks = [...new Set(xs)].sort((a, b) => a - b).map(x => `<text x="${r(px(x))}" y="${height - bottom + 14}" text-anchor="middle" font-size="10" fill="${COLORS.muted}">${label(x)}</text>`).join('')
  const lines = spec.series.map((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!
    const pts = s.points.filter(p => p[0] > 0 && Number.isFinite(p[1]))
    const path = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${r(px(p[0]))},${r(py(p[1]))}`).join(' ')
    const dots = pts.map(p => `<circle cx="${r(px(p[0]))}" cy="${r(py(p[1]))}" r="3" fill="${color}"><title>${escapeXml(`${s.name}: ${label(p[1])} ${spec.unit} at ${label(p[0])}`)}</title></circle>`).join('')
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`
  }).join('')
  const legend = spec.series.map((s, i) => `<tspan fill="${SERIES_COLORS[i % SERIES_COLORS.length]}">■</tspan> ${escapeXml(s.name)}`).join('  ')
  const body = `<text x="0" y="14" font-size="12" font-weight="600" fill="${COLORS.text}">${escapeXml(`${spec.title} (${spec.unit})`)}</text>` +
    `<text x="0" y="29" font-size="10" fill="${COLORS.muted}">${legend}</text>${grid}${ticks}` +
    `<text x="${r((left + width - right) / 2)}" y="${height - 4}" text-anchor="middle" font-size="10" fill="${COLORS.muted}">${escapeXml(spec.xLabel)} (log scale)</text>${lines}`
  return wrap(body, width, height, spec)
}

/** Counts of `values` in `bins` equal bins from 0 to the `clip` percentile (values beyond fall in the last bin). */
export function binValues (values: number[], bins: number, clip = 0.99): { edges: number[], counts: number[] } {
  const sorted = [...values].sort((a, b) => a - b)
  const top = sorted.length === 0 ? 1 : Math.max(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * clip))]!, 1e-9)
  const width = top / bins
  const counts = new Array<number>(bins).fill(0)
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(v / width)))]!++
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i * width), counts }
}

/** A histogram of per-message times, with p50 and p99 marked. */
export function histogram (spec: { title: string, unit: string, values: number[], bins?: number, width?: number, height?: number, color?: string, x?: number, y?: number, standalone?: boolean }): string {
  const width = spec.width ?? 340
  const height = spec.height ?? 200
  const [left, right, top, bottom] = [40, 10, 26, 30]
  const { edges, counts } = binValues(spec.values, spec.bins ?? 30)
  const maxCount = Math.max(1, ...counts)
  const xMax = edges[edges.length - 1]!
  const px = (v: number): number => left + Math.min(1, v / xMax) * (width - left - right)
  const barWidth = (width - left - right) / counts.length
  const bars = counts.map((c, i) => {
    const h = c / maxCount * (height - top - bottom)
    return `<rect x="${r(left + i * barWidth)}" y="${r(height - bottom - h)}" width="${r(Math.max(0.5, barWidth - 1))}" height="${r(h)}" fill="${spec.color ?? COLORS.peerlink}"/>`
  }).join('')
  const sorted = [...spec.values].sort((a, b) => a - b)
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
  const marks = ([[0.5, 'p50'], [0.99, 'p99']] as const).map(([p, name]) => {
    const x = px(pct(p))
    return `<line x1="${r(x)}" y1="${top}" x2="${r(x)}" y2="${height - bottom}" stroke="${COLORS.text}" stroke-dasharray="3 2"/>` +
      `<text x="${r(x + 3)}" y="${top + 10}" font-size="10" fill="${COLORS.text}">${name} ${label(pct(p))}</text>`
  }).join('')
  const axis = [0, 0.5, 1].map(f => `<text x="${r(px(xMax * f))}" y="${height - bottom + 13}" text-anchor="middle" font-size="10" fill="${COLORS.muted}">${label(xMax * f)}</text>`).join('')
  const body = `<text x="0" y="14" font-size="12" font-weight="600" fill="${COLORS.text}">${escapeXml(`${spec.title} (${spec.values.length} messages)`)}</text>` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="${COLORS.grid}"/>${bars}${marks}${axis}` +
    `<text x="${r((left + width - right) / 2)}" y="${height - 3}" text-anchor="middle" font-size="10" fill="${COLORS.muted}">${escapeXml(spec.unit)}</text>`
  return wrap(body, width, height, spec)
}

/** A chart alone is an `<svg>`; placed in a larger one (x, y given, standalone false) it is a translated group. */
function wrap (body: string, width: number, height: number, place: { x?: number, y?: number, standalone?: boolean }): string {
  if (place.standalone === false) return `<g transform="translate(${place.x ?? 0},${place.y ?? 0})">${body}</g>`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>${body}</svg>`
}

/** Several charts placed in one `<svg>` of the given size, on a white ground. */
export function compose (width: number, height: number, parts: string[], title?: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>` +
    `${title != null ? `<title>${escapeXml(title)}</title>` : ''}<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`
}
