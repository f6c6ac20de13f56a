// The canvas's graph model: React Flow nodes and edges carrying exactly what a workflow node holds.
import type { Edge, Node } from '@xyflow/react'
import type { JsonObject } from '../api/types'

export interface QfNodeData extends Record<string, unknown> {
  typeId: string
  typeVersion: number
  params: JsonObject
  title?: string
  /** Keys of the workflow node this canvas does not edit, kept for a lossless round trip. */
  extra?: Record<string, unknown>
}

export type QfNode = Node<QfNodeData, 'qf'>
export type QfEdge = Edge

export interface Graph {
  nodes: QfNode[]
  edges: QfEdge[]
}

export function edgeId(source: string, sourcePort: string, target: string, targetPort: string): string {
  return `${source}.${sourcePort}->${target}.${targetPort}`
}

/** A node id not yet used in the graph, derived from the type (e.g. `core:bars` -> `bars_2`). */
export function newNodeId(typeId: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  const base = (typeId.split(':').pop() ?? 'node').replace(/[^A-Za-z0-9_]/g, '_') || 'node'
  for (let i = 1; ; i += 1) {
    const id = i === 1 ? base : `${base}_${i}`
    if (!used.has(id)) return id
  }
}
