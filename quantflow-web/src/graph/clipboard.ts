// Copy/paste of a selection: the nodes and the edges between them, pasted with fresh ids.
import type { Graph, QfEdge, QfNode } from './model'
import { edgeId, newNodeId } from './model'

export function copySelection(graph: Graph): Graph {
  const nodes = graph.nodes.filter((n) => n.selected)
  const ids = new Set(nodes.map((n) => n.id))
  return { nodes, edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) }
}

/** `clip` re-identified against `graph`, offset, and selected (the rest of the graph deselected). */
export function pasteInto(graph: Graph, clip: Graph, offset = 40): Graph {
  const taken = new Set(graph.nodes.map((n) => n.id))
  const rename = new Map<string, string>()
  const pasted: QfNode[] = clip.nodes.map((n) => {
    const id = newNodeId(n.data.typeId, taken)
    taken.add(id)
    rename.set(n.id, id)
    return { ...n, id, selected: true, position: { x: n.position.x + offset, y: n.position.y + offset } }
  })
  const edges: QfEdge[] = clip.edges.map((e) => {
    const source = rename.get(e.source) ?? e.source
    const target = rename.get(e.target) ?? e.target
    return { ...e, id: edgeId(source, e.sourceHandle ?? '', target, e.targetHandle ?? ''), source, target, selected: false }
  })
  return {
    nodes: [...graph.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
    edges: [...graph.edges, ...edges],
  }
}
