// What the canvas draws on top of nodes: run status, validation problems, revision diff.
import { createContext, useContext } from 'react'
import type { Problem } from '../api/types'
import type { CatalogIndex } from '../graph/catalog'

export type NodeRunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped'

export interface NodeStatus {
  state: NodeRunState
  message?: string
  durationMs?: number
}

export type DiffMark = 'added' | 'changed' | 'removed'

export interface Decorations {
  index: CatalogIndex
  status: Record<string, NodeStatus>
  problems: Record<string, Problem[]>
  diff: Record<string, DiffMark>
}

export const DecorationsContext = createContext<Decorations | null>(null)

export function useDecorations(): Decorations {
  const value = useContext(DecorationsContext)
  if (!value) throw new Error('DecorationsContext is missing')
  return value
}

export function problemsByNode(problems: Problem[]): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {}
  for (const p of problems) if (p.node_id) (out[p.node_id] ??= []).push(p)
  return out
}

/** A stable colour per port type name, so the canvas needs no list of port types. */
export function portColor(type: string): string {
  let hash = 0
  for (const ch of type) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
  return type === 'any' ? '#94a3b8' : `hsl(${hash % 360} 70% 55%)`
}
