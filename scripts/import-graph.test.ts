import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { circles, folderGraph } from './import-graph.ts'

const root = new URL('..', import.meta.url).pathname

describe('folderGraph and circles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-graph-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })
  const write = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }

  it('finds a circle closed by a type-only import', () => {
    write('a/one.ts', "import { two } from '../b/two.ts'\nexport const one = two\n")
    write('b/two.ts', "import type { Three } from '../c/three.ts'\nexport const two: Three = 2\n")
    write('c/three.ts', "export type { One } from '../a/one.ts'\nexport type Three = number\n")
    expect(circles(folderGraph(dir, ['a', 'b', 'c']))).toEqual([['a', 'b', 'c', 'a']])
  })

  it('finds none in a tree whose imports run one way', () => {
    write('d/top.ts', "import { leaf } from './room/leaf.ts'\nexport const top = leaf\n")
    write('d/room/leaf.ts', "import { x } from './sibling.ts'\nexport const leaf = x\n")
    write('d/room/sibling.ts', 'export const x = 1\n')
    const graph = folderGraph(dir, ['d'])
    expect(graph.get('d')).toEqual(new Set(['d/room']))
    expect(circles(graph)).toEqual([])
  })
})

describe('the source tree', () => {
  it('has no circle between its folders', () => {
    expect(circles(folderGraph(root, ['src', 'relay']))).toEqual([])
  })
})
