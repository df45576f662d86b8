// The folders of the source tree as a graph of their imports, and the circles in it.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** Folder → the folders its files import from (relative imports only; type-only imports count too). */
export type FolderGraph = Map<string, Set<string>>

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g

/** Builds the folder graph of every `.ts` file under `dirs` (test files included: they may not close a circle either). */
export function folderGraph (root: string, dirs: string[]): FolderGraph {
  const graph: FolderGraph = new Map()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) addFile(path)
    }
  }
  const addFile = (file: string): void => {
    const from = relative(root, dirname(file))
    const targets = graph.get(from) ?? new Set<string>()
    graph.set(from, targets)
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = relative(root, dirname(resolve(dirname(file), spec!)))
      if (to !== from) targets.add(to)
    }
  }
  for (const dir of dirs) walk(resolve(root, dir))
  return graph
}

/** Every circle of the graph, each once, as the folders along it (empty when the graph has none). */
export function circles (graph: FolderGraph): string[][] {
  const found: string[][] = []
  const done = new Set<string>()
  const onPath: string[] = []
  const visit = (node: string): void => {
    const at = onPath.indexOf(node)
    if (at !== -1) { found.push([...onPath.slice(at), node]); return }
    if (done.has(node)) return
    onPath.push(node)
    for (const next of graph.get(node) ?? []) visit(next)
    onPath.pop()
    done.add(node)
  }
  for (const node of [...graph.keys()].sort()) visit(node)
  return found
}
