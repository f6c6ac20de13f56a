// The editor's top bar: navigation, save with a message, edit commands, run, activation.
import { useState } from 'react'
import type { FormEvent } from 'react'
import { ActivationToggle } from './ActivationToggle'
import { SHORTCUT_HELP } from './useShortcuts'

interface Props {
  workflowId: string
  name: string
  revision: number
  draft: boolean
  dirty: boolean
  saving: boolean
  notice: string | null
  canUndo: boolean
  canRedo: boolean
  onBack: () => void
  onSave: (message: string) => void
  onUndo: () => void
  onRedo: () => void
  onLayout: () => void
  onRun: () => void
  onHistory: () => void
}

export function Toolbar(p: Props) {
  const [message, setMessage] = useState('')
  const [help, setHelp] = useState(false)
  const save = (event: FormEvent) => {
    event.preventDefault()
    p.onSave(message)
    setMessage('')
  }
  return (
    <header className="topbar editor-bar">
      <button onClick={p.onBack} title="All workflows">← Workflows</button>
      <strong className="wf-name">{p.name}</strong>
      <span className="badge" data-testid="revision">rev {p.revision}</span>
      {p.draft && <span className="badge warn">draft</span>}
      {p.dirty && <span className="badge info">unsaved</span>}
      <form className="inline-form" onSubmit={save}>
        <input placeholder="Save message (optional)" value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Save message" />
        <button className="primary" disabled={p.saving}>{p.saving ? 'Saving…' : 'Save'}</button>
      </form>
      <button onClick={p.onUndo} disabled={!p.canUndo} title="Undo (Ctrl+Z)">↶</button>
      <button onClick={p.onRedo} disabled={!p.canRedo} title="Redo (Ctrl+Shift+Z)">↷</button>
      <button onClick={p.onLayout} title="Auto-layout (Shift+L)">Layout</button>
      <button onClick={p.onHistory}>History</button>
      <button className="run" onClick={p.onRun}>▶ Run</button>
      <ActivationToggle workflowId={p.workflowId} revision={p.revision} draft={p.draft} />
      <span className="notice" role="status">{p.notice}</span>
      <span className="spacer" />
      <button className="icon" onClick={() => setHelp((h) => !h)} title="Keyboard shortcuts">?</button>
      {help && (
        <div className="popover help">
          <table>
            <tbody>
              {SHORTCUT_HELP.map(([keys, what]) => (
                <tr key={keys}><td><kbd>{keys}</kbd></td><td>{what}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </header>
  )
}
