// Workflow JSON <-> canvas graph. Lossless: keys the canvas does not edit ride along untouched.
import type { JsonObject, WorkflowDocument, WorkflowEdge, WorkflowNode } from '../api/types'
import type { Graph, QfEdge, QfNode } from './model'
import { edgeId } from './model'

const NODE_KEYS = new Set(['id', 'type', 'type_version', 'params', 'position', 'title'])

export function nodeFromWorkflow(node: WorkflowNode): QfNode {
  const extra: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) if (!NODE_KEYS.has(key)) extra[key] = value
  return {
    id: node.id,
    type: 'qf',
    position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
    data: {
      typeId: node.type,
      typeVersion: node.type_version,
      params: node.params ?? {},
      ...(node.title !== undefined ? { title: node.title } : {}),
      ...(Object.keys(extra).length ? { extra } : {}),
    },
  }
}

export function edgeFromWorkflow(edge: WorkflowEdge): QfEdge {
  return {
    id: edgeId(edge.source, edge.source_port, edge.target, edge.target_port),
    source: edge.source,
    sourceHandle: edge.source_port,
    target: edge.target,
    targetHandle: edge.target_port,
  }
}

export function graphFromWorkflow(doc: WorkflowDocument): Graph {
  return { nodes: (doc.nodes ?? []).map(nodeFromWorkflow), edges: (doc.edges ?? []).map(edgeFromWorkflow) }
}

export function nodeToWorkflow(node: QfNode): WorkflowNode {
  const { typeId, typeVersion, params, title, extra } = node.data
  return {
    ...(extra ?? {}),
    id: node.id,
    type: typeId,
    type_version: typeVersion,
    params: params as JsonObject,
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    ...(title !== undefined ? { title } : {}),
  }
}

export function edgeToWorkflow(edge: QfEdge): WorkflowEdge {
  return {
    source: edge.source,
    source_port: edge.sourceHandle ?? '',
    target: edge.target,
    target_port: edge.targetHandle ?? '',
  }
}

/** The document to save: `base`'s other keys (name, description, schema_version...) with this graph. */
export function workflowFromGraph(base: WorkflowDocument, graph: Graph): WorkflowDocument {
  return { ...base, nodes: graph.nodes.map(nodeToWorkflow), edges: graph.edges.map(edgeToWorkflow) }
}
