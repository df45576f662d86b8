import { describe, expect, it } from 'vitest'
import { barChart, binValues, compose, escapeXml, histogram, label, lineChart, niceMax, targetsChart } from './svg.ts'

/** Every tag opened is closed, in order: enough to catch a broken writer. */
function balanced (svg: string): boolean {
  const stack: string[] = []
  for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing === '/') continue
    if (close === '/') { if (stack.pop() !== name) return false } else stack.push(name!)
  }
  return stack.length === 0
}

describe('svg helpers', () => {
  it('escapes what XML would read as markup', () => {
    expect(escapeXml('a < b & "c" > d')).toBe('a &lt; b &amp; &quot;c&quot; &gt; d')
  })

  it('rounds axis maxima to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(7.3)).toBe(10)
    expect(niceMax(130)).toBe(200)
    expect(niceMax(0.04)).toBeCloseTo(0.05)
    expect(niceMax(0)).toBe(1)
  })

  it('labels numbers briefly', () => {
    expect(label(12_345.6)).toBe('12,346')
    expect(label(0.5)).toBe('0.50')
    expect(label(1.234)).toBe('1.23')
    expect(label(Number.NaN)).toBe('–')
  })

  it('bins values up to the 99th percentile, the rest in the last bin', () => {
    const values = [...Array.from({ length: 199 }, (_, i) => i / 10), 1_000]
    const { edges, counts } = binValues(values, 10)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200)
    expect(edges).toHaveLength(11)
    expect(edges[10]).toBeCloseTo(19.8)
    expect(counts[9]).toBeGreaterThanOrEqual(2)
  })
})

describe('charts', () => {
  it('draws bars in proportion, and says when a bar was not measured', () => {
    const svg = barChart({ title: 'T <1>', unit: 'MB/s', bars: [{ label: 'a', value: 10 }, { label: 'b', value: 5 }, { label: 'c', value: null }] })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(balanced(svg)).toBe(true)
    expect(svg).toContain('T &lt;1&gt;')
    const widths = [...svg.matchAll(/<rect x="120" y="\d+" width="([\d.]+)"/g)].map(m => Number(m[1]))
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 1)
    expect(svg).toContain('not measured')
  })

  it('puts met targets right of the target line in green and missed ones left in red', () => {
    const svg = targetsChart({
      title: 't',
      rows: [{ name: 'good', figure: '2', target: '≥ 1', goodness: 2, met: true }, { name: 'bad', figure: '10 ms', target: '< 5 ms', goodness: 0.5, met: false }, { name: 'none', figure: '–', target: '< 1 s', goodness: null, met: null }]
    })
    expect(balanced(svg)).toBe(true)
    expect(svg).toMatch(/fill="#59a14f"/)
    expect(svg).toMatch(/fill="#e15759"/)
    expect(svg).toContain('not measured')
  })

  it('draws one path per series with a point per size, and a histogram with p50 and p99', () => {
    const line = lineChart({ title: 'g', xLabel: 'messages', unit: 'ms', series: [{ name: 's', points: [[1_000, 1], [10_000, 2], [100_000, 3]] }, { name: 'r', points: [[1_000, 2], [10_000, 2], [100_000, 2]] }] })
    expect(balanced(line)).toBe(true)
    expect(line.match(/<path /g)).toHaveLength(2)
    expect(line.match(/<circle /g)).toHaveLength(6)
    const hist = histogram({ title: 'h', unit: 'ms', values: [1, 2, 2, 3, 3, 3, 4, 40] })
    expect(balanced(hist)).toBe(true)
    expect(hist).toContain('p50 3.0')
    expect(hist).toContain('(8 messages)')
  })

  it('composes placed charts into one svg', () => {
    const svg = compose(400, 300, [barChart({ title: 'x', unit: 'u', bars: [{ label: 'a', value: 1 }], standalone: false, x: 10, y: 20 })], 'title')
    expect(balanced(svg)).toBe(true)
    expect(svg).toContain('<g transform="translate(10,20)">')
    expect(svg.match(/<svg /g)).toHaveLength(1)
  })
})
