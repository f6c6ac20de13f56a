// Turning React Flow's connection state into a connection attempt and our verdict on it.
import type { Handle } from '@xyflow/react'
import type { CatalogIndex } from '../graph/catalog'
import type { ConnectionAttempt, Verdict } from '../graph/compat'
import { checkConnection } from '../graph/compat'
import type { Graph } from '../graph/model'

/** The attempt from one handle to another, whichever end the drag started from. */
export function attemptBetween(from: Handle, to: Handle): ConnectionAttempt | null {
  if (from.type === to.type) return null
  const [source, target] = from.type === 'source' ? [from, to] : [to, from]
  return { source: source.nodeId, sourceHandle: source.id ?? '', target: target.nodeId, targetHandle: target.id ?? '' }
}

export function verdictBetween(index: CatalogIndex, graph: Graph, from: Handle, to: Handle): Verdict {
  const attempt = attemptBetween(from, to)
  if (!attempt) return { ok: false, reason: `Connect an output to an input, not two ${from.type === 'source' ? 'outputs' : 'inputs'}.` }
  return checkConnection(index, graph, attempt)
}
