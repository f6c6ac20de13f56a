// Input controls for single schema fields. Each one edits one JSON value and nothing else.
import { useEffect, useState } from 'react'
import type { JsonValue } from '../api/types'
import type { FieldSpec } from './schema'

export interface ControlProps<F extends FieldSpec = FieldSpec> {
  field: F
  value: JsonValue | undefined
  onChange: (value: JsonValue | undefined) => void
  id: string
  invalid: boolean
}

type NumberField = Extract<FieldSpec, { kind: 'number' }>

export function NumberControl({ field, value, onChange, id, invalid }: ControlProps<NumberField>) {
  const shown = value === undefined || value === null ? '' : String(value)
  const [text, setText] = useState(shown)
  useEffect(() => {
    setText(shown)
  }, [shown])
  const min = field.minimum ?? field.exclusiveMinimum
  const max = field.maximum ?? field.exclusiveMaximum
  return (
    <input
      id={id}
      type="number"
      aria-invalid={invalid}
      value={text}
      min={min}
      max={max}
      step={field.integer ? 1 : 'any'}
      placeholder={field.hasDefault ? String(field.default) : ''}
      onChange={(event) => {
        setText(event.target.value)
        if (event.target.value.trim() === '') return onChange(undefined)
        const parsed = Number(event.target.value)
        if (!Number.isNaN(parsed)) onChange(parsed)
      }}
    />
  )
}

type EnumField = Extract<FieldSpec, { kind: 'enum' }>

export function EnumControl({ field, value, onChange, id, invalid }: ControlProps<EnumField>) {
  const index = field.options.findIndex((o) => o === value)
  return (
    <select
      id={id}
      aria-invalid={invalid}
      value={index < 0 ? '' : String(index)}
      onChange={(event) => onChange(event.target.value === '' ? undefined : (field.options[Number(event.target.value)] ?? null))}
    >
      {(index < 0 || field.nullable) && <option value="">{field.nullable ? '(none)' : '(choose)'}</option>}
      {field.options.map((option, i) => (
        <option key={String(option)} value={String(i)}>
          {String(option)}
        </option>
      ))}
    </select>
  )
}

export function BooleanControl({ value, onChange, id }: ControlProps) {
  return <input id={id} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
}

export function StringControl({ field, value, onChange, id, invalid }: ControlProps) {
  const maxLength = field.kind === 'string' ? field.maxLength : undefined
  const format = field.kind === 'string' ? field.format : undefined
  return (
    <input
      id={id}
      type={format === 'date' ? 'date' : format === 'date-time' ? 'datetime-local' : 'text'}
      aria-invalid={invalid}
      value={typeof value === 'string' ? value : ''}
      maxLength={maxLength}
      placeholder={field.hasDefault && field.default !== null ? String(field.default) : ''}
      onChange={(event) => onChange(event.target.value === '' && field.nullable ? null : event.target.value)}
    />
  )
}

/** Any value the generator has no control for, edited as JSON text. */
export function JsonControl({ value, onChange, id, invalid }: ControlProps) {
  const shown = value === undefined ? '' : JSON.stringify(value, null, 1)
  const [text, setText] = useState(shown)
  const [bad, setBad] = useState(false)
  useEffect(() => {
    setText(shown)
  }, [shown])
  return (
    <textarea
      id={id}
      rows={3}
      aria-invalid={invalid || bad}
      value={text}
      onChange={(event) => {
        setText(event.target.value)
        if (event.target.value.trim() === '') return onChange(undefined)
        try {
          onChange(JSON.parse(event.target.value) as JsonValue)
          setBad(false)
        } catch {
          setBad(true)
        }
      }}
    />
  )
}
