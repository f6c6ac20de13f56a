// Run settings (mode, and for a backtest its symbols and dates), generated from RunRequest's schema.
import { useEffect, useState } from 'react'
import type { JsonObject } from '../api/types'
import { SchemaForm } from '../forms/SchemaForm'
import type { FieldSpec } from '../forms/schema'
import { runRequestFields } from './runOptions'

interface Props {
  onStart: (body: JsonObject) => void
  onClose: () => void
  busy: boolean
}

let remembered: JsonObject = {}

export function RunDialog({ onStart, onClose, busy }: Props) {
  const [fields, setFields] = useState<FieldSpec[] | null>(null)
  const [values, setValues] = useState<JsonObject>(remembered)
  useEffect(() => {
    runRequestFields().then(setFields)
  }, [])
  const mode = String(values.mode ?? fields?.find((f) => f.name === 'mode')?.default ?? 'manual')
  const relevant = (fields ?? []).filter((f) => f.name === 'mode' || mode !== 'manual')
  return (
    <div className="popover run-dialog" role="dialog" aria-label="Run settings">
      <h3>Run</h3>
      {fields === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <SchemaForm fields={relevant} values={values} onChange={(v) => setValues(v)} context={{ problems: {}, expressionInputs: {}, idPrefix: 'run' }} />
      )}
      <div className="popover-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button
          type="button"
          className="primary"
          disabled={busy || fields === null}
          onClick={() => {
            remembered = values
            onStart(values)
          }}
        >
          Start {mode}
        </button>
      </div>
    </div>
  )
}
