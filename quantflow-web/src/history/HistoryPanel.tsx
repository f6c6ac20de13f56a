// Revision history: pick a revision to see what changed since it (highlighted on the canvas), restore it.
import { useEffect, useState } from 'react'
import { api } from '../api/endpoints'
import type { DiffOut, RevisionOut, WorkflowOut } from '../api/types'
import type { DiffView } from './useDiffView'

interface Props {
  workflow: WorkflowOut
  diffView: DiffView
  onRestored: (out: WorkflowOut) => void
}

export function HistoryPanel({ workflow, diffView, onRestored }: Props) {
  const [revisions, setRevisions] = useState<RevisionOut[] | null>(null)
  const [picked, setPicked] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api.revisions(workflow.id).then(setRevisions).catch((e: Error) => setError(e.message))
  }, [workflow.id, workflow.head_revision])

  const compare = (number: number) => {
    setPicked(number)
    api.diff(workflow.id, number, workflow.head_revision).then(diffView.show).catch((e: Error) => setError(e.message))
  }
  const restore = (number: number) =>
    api.restore(workflow.id, number, workflow.head_revision).then(onRestored).catch((e: Error) => setError(e.message))

  return (
    <div className="history">
      <ol className="revision-list">
        {(revisions ?? []).map((r) => (
          <li key={r.number} className={picked === r.number ? 'active' : ''} data-revision={r.number}>
            <button type="button" className="link" onClick={() => compare(r.number)} disabled={r.number === workflow.head_revision}>
              rev {r.number}
            </button>{' '}
            <span className="muted">{new Date(r.created_at).toLocaleString()} · {r.author}</span>{' '}
            {r.draft && <span className="badge warn">draft</span>} {r.message && <em>“{r.message}”</em>}
            {r.number !== workflow.head_revision && (
              <button type="button" className="small" onClick={() => void restore(r.number)}>Restore</button>
            )}
          </li>
        ))}
      </ol>
      <div className="diff-summary">
        {error && <div className="error-text">{error}</div>}
        {diffView.diff ? <DiffSummary diff={diffView.diff} onClear={diffView.clear} /> : <p className="muted">Pick a revision to see what changed since.</p>}
      </div>
    </div>
  )
}

function DiffSummary({ diff, onClear }: { diff: DiffOut; onClear: () => void }) {
  const empty = !diff.nodes_added.length && !diff.nodes_removed.length && !diff.nodes_changed.length && !diff.edges_added.length && !diff.edges_removed.length
  return (
    <div>
      <h4>
        rev {diff.from_revision} → rev {diff.to_revision} <button className="small" onClick={onClear}>Hide on canvas</button>
      </h4>
      {empty && <p className="muted">No change to the graph.</p>}
      <ul className="diff-list">
        {diff.nodes_added.map((n) => <li key={`a${n.id}`} className="diff-added">+ {n.id} <small>{n.type}</small></li>)}
        {diff.nodes_removed.map((n) => <li key={`r${n.id}`} className="diff-removed">− {n.id} <small>{n.type}</small></li>)}
        {diff.nodes_changed.map((c) => (
          <li key={`c${c.node_id}`} className="diff-changed">
            ~ {c.node_id}:{' '}
            {Object.entries({ ...c.params, ...c.fields }).map(([k, v]) => (
              <span key={k} className="change"><code>{k}</code> {JSON.stringify(v.old)} → {JSON.stringify(v.new)} </span>
            ))}
          </li>
        ))}
        {diff.edges_added.map((e, i) => <li key={`ea${i}`} className="diff-added">+ edge {e.source}.{e.source_port} → {e.target}.{e.target_port}</li>)}
        {diff.edges_removed.map((e, i) => <li key={`er${i}`} className="diff-removed">− edge {e.source}.{e.source_port} → {e.target}.{e.target_port}</li>)}
      </ul>
    </div>
  )
}
