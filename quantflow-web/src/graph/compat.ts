// Connection rules: exactly the checks the server's validator makes on an edge, so the canvas
// refuses what the engine would refuse. Port compatibility comes from the server's table.
import type { CatalogIndex } from './catalog'
import { findPort, portsCompatible } from './catalog'
import type { Graph } from './model'

export interface ConnectionAttempt {
  source: string
  sourceHandle: string
  target: string
  targetHandle: string
}

export type Verdict = { ok: true } | { ok: false; reason: string }

export function checkConnection(index: CatalogIndex, graph: Graph, c: ConnectionAttempt): Verdict {
  if (c.source === c.target) return { ok: false, reason: 'A node cannot feed itself.' }
  const sourceNode = graph.nodes.find((n) => n.id === c.source)
  const targetNode = graph.nodes.find((n) => n.id === c.target)
  if (!sourceNode || !targetNode) return { ok: false, reason: 'Both ends must be nodes on the canvas.' }
  const sourceSpec = index.byType.get(sourceNode.data.typeId)
  const targetSpec = index.byType.get(targetNode.data.typeId)
  const out = findPort(sourceSpec, 'out', c.sourceHandle)
  const inp = findPort(targetSpec, 'in', c.targetHandle)
  if (!out) return { ok: false, reason: `${sourceNode.id} has no output "${c.sourceHandle}".` }
  if (!inp) return { ok: false, reason: `${targetNode.id} has no input "${c.targetHandle}".` }
  if (!portsCompatible(index.catalog, out.type, inp.type)) {
    const accepted = Object.entries(index.catalog.port_compatibility)
      .filter(([, targets]) => targets.includes(inp.type))
      .map(([source]) => source)
    return {
      ok: false,
      reason: `Type mismatch: ${c.sourceHandle} gives ${out.type}, but ${c.targetHandle} takes ${inp.type} (accepts ${accepted.join(', ')}).`,
    }
  }
  const taken = graph.edges.filter((e) => e.target === c.target && e.targetHandle === c.targetHandle)
  if (taken.some((e) => e.source === c.source && e.sourceHandle === c.sourceHandle)) {
    return { ok: false, reason: 'These ports are already connected.' }
  }
  if (!inp.multiple && taken.length > 0) {
    return { ok: false, reason: `${c.targetHandle} takes one connection and already has one.` }
  }
  if (reaches(graph, c.target, c.source)) {
    return { ok: false, reason: `That would make a cycle: ${c.target} already feeds ${c.source}.` }
  }
  return { ok: true }
}

/** Whether `to` is reachable from `from` along edges. */
export function reaches(graph: Graph, from: string, to: string): boolean {
  const next = new Map<string, string[]>()
  for (const e of graph.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target])
  const seen = new Set<string>()
  const stack = [from]
  while (stack.length) {
    const id = stack.pop() as string
    if (id === to) return true
    if (seen.has(id)) continue
    seen.add(id)
    stack.push(...(next.get(id) ?? []))
  }
  return false
}
