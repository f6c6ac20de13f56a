// A simple layered (Sugiyama-style) layout: longest-path layers left to right, then a few
// barycentre sweeps to cut crossings. Enough for strategy graphs of a few hundred nodes.
import type { Graph } from './model'

export interface LayoutOptions {
  columnWidth: number
  rowHeight: number
}

const DEFAULTS: LayoutOptions = { columnWidth: 280, rowHeight: 130 }

export function layeredLayout(graph: Graph, options: Partial<LayoutOptions> = {}): Record<string, { x: number; y: number }> {
  const { columnWidth, rowHeight } = { ...DEFAULTS, ...options }
  const ids = graph.nodes.map((n) => n.id)
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]))
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]))
  for (const e of graph.edges) {
    if (!preds.has(e.target) || !succs.has(e.source)) continue
    preds.get(e.target)?.push(e.source)
    succs.get(e.source)?.push(e.target)
  }
  const layer = longestPathLayers(ids, preds, succs)
  const layers: string[][] = []
  for (const id of ids) (layers[layer.get(id) ?? 0] ??= []).push(id)
  const order = new Map<string, number>()
  const renumber = (column: string[]) => column.forEach((id, i) => order.set(id, i))
  layers.forEach((column) => renumber(column))
  for (let sweep = 0; sweep < 4; sweep += 1) {
    const down = sweep % 2 === 0
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse()
    for (const column of sequence) {
      const neighbours = down ? preds : succs
      const score = (id: string) => {
        const ns = neighbours.get(id) ?? []
        return ns.length ? ns.reduce((sum, n) => sum + (order.get(n) ?? 0), 0) / ns.length : (order.get(id) ?? 0)
      }
      const scored = column.map((id) => [id, score(id)] as const)
      scored.sort((a, b) => a[1] - b[1])
      column.splice(0, column.length, ...scored.map(([id]) => id))
      renumber(column)
    }
  }
  const positions: Record<string, { x: number; y: number }> = {}
  layers.forEach((column, x) => {
    const top = -((column.length - 1) * rowHeight) / 2
    column.forEach((id, y) => {
      positions[id] = { x: x * columnWidth, y: top + y * rowHeight }
    })
  })
  return positions
}

/** Layer of each node = longest path from a source (Kahn's order; nodes on a cycle go last). */
function longestPathLayers(ids: string[], preds: Map<string, string[]>, succs: Map<string, string[]>): Map<string, number> {
  const indegree = new Map(ids.map((id) => [id, preds.get(id)?.length ?? 0]))
  const layer = new Map<string, number>()
  const queue = ids.filter((id) => indegree.get(id) === 0)
  queue.forEach((id) => layer.set(id, 0))
  while (queue.length) {
    const id = queue.shift() as string
    for (const next of succs.get(id) ?? []) {
      layer.set(next, Math.max(layer.get(next) ?? 0, (layer.get(id) ?? 0) + 1))
      const left = (indegree.get(next) ?? 1) - 1
      indegree.set(next, left)
      if (left === 0) queue.push(next)
    }
  }
  const deepest = Math.max(0, ...layer.values())
  for (const id of ids) if (!layer.has(id) || (indegree.get(id) ?? 0) > 0) layer.set(id, deepest + 1)
  return layer
}
