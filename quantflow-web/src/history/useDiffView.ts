// A revision diff shown on the canvas: marks for added/changed nodes, ghosts for removed ones.
import { useCallback, useMemo, useState } from 'react'
import type { DiffOut } from '../api/types'
import type { DiffMark } from '../editor/decorations'
import { nodeFromWorkflow } from '../graph/convert'
import type { QfNode } from '../graph/model'

export interface DiffView {
  diff: DiffOut | null
  marks: Record<string, DiffMark>
  ghosts: QfNode[]
  show: (diff: DiffOut) => void
  clear: () => void
}

export function diffMarks(diff: DiffOut | null): Record<string, DiffMark> {
  if (!diff) return {}
  const marks: Record<string, DiffMark> = {}
  for (const n of diff.nodes_added) marks[n.id] = 'added'
  for (const n of diff.nodes_changed) marks[n.node_id] = 'changed'
  for (const n of diff.nodes_removed) marks[`removed:${n.id}`] = 'removed'
  return marks
}

export function useDiffView(): DiffView {
  const [diff, setDiff] = useState<DiffOut | null>(null)
  const marks = useMemo(() => diffMarks(diff), [diff])
  const ghosts = useMemo(
    () =>
      (diff?.nodes_removed ?? []).map((n) => {
        const node = nodeFromWorkflow(n)
        return { ...node, id: `removed:${n.id}`, selectable: false, draggable: false, connectable: false, deletable: false }
      }),
    [diff],
  )
  const clear = useCallback(() => setDiff(null), [])
  return { diff, marks, ghosts, show: setDiff, clear }
}
