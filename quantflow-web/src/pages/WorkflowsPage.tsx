// The workflow list: search, create, duplicate, delete, import a JSON file.
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ChangeEvent, FormEvent } from 'react'
import { api } from '../api/endpoints'
import type { Me, WorkflowSummary } from '../api/types'
import { copyOf, emptyWorkflow } from '../lib/documents'
import { navigate } from '../lib/router'

export function WorkflowsPage({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const [items, setItems] = useState<WorkflowSummary[] | null>(null)
  const [query, setQuery] = useState('')
  const [newName, setNewName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(() => {
    api.workflows().then(setItems).catch((e: Error) => setError(e.message))
  }, [])
  useEffect(load, [load])
  const shown = useMemo(
    () => (items ?? []).filter((w) => w.name.toLowerCase().includes(query.toLowerCase().trim())),
    [items, query],
  )
  const fail = (e: Error) => setError(e.message)

  const create = (event: FormEvent) => {
    event.preventDefault()
    api
      .createWorkflow(emptyWorkflow(newName.trim()), 'created')
      .then((w) => navigate(`/workflows/${w.id}`))
      .catch(fail)
  }
  const duplicate = (w: WorkflowSummary) =>
    api
      .workflow(w.id)
      .then((full) => api.createWorkflow(copyOf(full.document, `${w.name} (copy)`), `copy of ${w.name}`, full.draft))
      .then(load)
      .catch(fail)
  const remove = (w: WorkflowSummary) => {
    if (window.confirm(`Delete "${w.name}"?`)) api.deleteWorkflow(w.id).then(load).catch(fail)
  }
  const importFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    file
      .text()
      .then((text) => api.importWorkflow(JSON.parse(text)))
      .then((w) => navigate(`/workflows/${w.id}`))
      .catch(fail)
  }

  return (
    <div className="page">
      <header className="topbar">
        <strong className="brand">
          <img src="/favicon.svg" alt="" /> QuantFlow
        </strong>
        <span className="spacer" />
        <span className="muted">{me.username} · {me.role}</span>
        <button onClick={onLogout}>Sign out</button>
      </header>
      <main className="list-page">
        <div className="list-actions">
          <input className="search" placeholder="Search workflows" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search workflows" />
          <form onSubmit={create} className="inline-form">
            <input placeholder="New workflow name" value={newName} onChange={(e) => setNewName(e.target.value)} aria-label="New workflow name" />
            <button className="primary" disabled={!newName.trim()}>Create</button>
          </form>
          <label className="button">
            Import JSON
            <input type="file" accept="application/json,.json" hidden onChange={importFile} data-testid="import-file" />
          </label>
        </div>
        {error && <div className="error-text" role="alert">{error}</div>}
        {items === null ? (
          <p className="muted">Loading…</p>
        ) : shown.length === 0 ? (
          <p className="muted">{items.length ? 'Nothing matches.' : 'No workflows yet: create one above.'}</p>
        ) : (
          <table className="workflow-table">
            <thead>
              <tr><th>Name</th><th>Revision</th><th>Updated</th><th>Owner</th><th /></tr>
            </thead>
            <tbody>
              {shown.map((w) => (
                <tr key={w.id}>
                  <td>
                    <a href={`/workflows/${w.id}`} onClick={(e) => { e.preventDefault(); navigate(`/workflows/${w.id}`) }}>{w.name}</a>
                    {w.draft && <span className="badge warn">draft</span>}
                  </td>
                  <td>{w.head_revision}</td>
                  <td>{new Date(w.updated_at).toLocaleString()}</td>
                  <td>{w.owner}</td>
                  <td className="row-actions">
                    <button onClick={() => duplicate(w)}>Duplicate</button>
                    <button className="danger" onClick={() => remove(w)}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </div>
  )
}
