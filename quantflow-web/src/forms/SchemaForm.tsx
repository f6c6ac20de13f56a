// A form generated from a JSON Schema's fields: one row per field, nested for objects and arrays.
import type { ReactNode } from 'react'
import type { JsonObject, JsonValue } from '../api/types'
import { ExpressionEditor } from '../expr/ExpressionEditor'
import { BooleanControl, EnumControl, JsonControl, NumberControl, StringControl } from './controls'
import type { FieldSpec } from './schema'
import { checkValue, effectiveValue, emptyValue } from './schema'

export interface FormContext {
  /** Server problems by dotted param path (e.g. "sizing" or "args.0"). */
  problems: Record<string, string>
  /** Named inputs an expression may use, with their value kinds. */
  expressionInputs: Record<string, string>
  idPrefix: string
}

interface FormProps {
  fields: FieldSpec[]
  values: JsonObject
  onChange: (values: JsonObject) => void
  context: FormContext
}

export function SchemaForm({ fields, values, onChange, context }: FormProps) {
  const set = (name: string, value: JsonValue | undefined) => {
    const next = { ...values }
    if (value === undefined) delete next[name]
    else next[name] = value
    onChange(next)
  }
  return (
    <div className="schema-form">
      {fields.map((field) => (
        <FieldRow key={field.name} field={field} path={field.name} value={values[field.name]} onChange={(v) => set(field.name, v)} context={context} />
      ))}
    </div>
  )
}

interface RowProps {
  field: FieldSpec
  path: string
  value: JsonValue | undefined
  onChange: (value: JsonValue | undefined) => void
  context: FormContext
}

export function FieldRow({ field, path, value, onChange, context }: RowProps) {
  const shown = effectiveValue(field, value)
  const serverProblem = context.problems[path]
  const localProblem = checkValue(field, shown)
  const problem = serverProblem ?? localProblem
  const id = `${context.idPrefix}-${path}`
  return (
    <div className={`field-row${problem ? ' field-problem' : ''}`} data-param={path}>
      <div className="field-head">
        <label htmlFor={id}>{field.title}{field.required && !field.hasDefault ? ' *' : ''}</label>
        {value !== undefined && field.hasDefault && (
          <button type="button" className="link" title="Back to the default" onClick={() => onChange(undefined)}>
            reset
          </button>
        )}
      </div>
      {control(field, path, shown, onChange, context, id, Boolean(problem))}
      {field.description && <div className="field-help">{field.description}</div>}
      {problem && <div className="field-error">{problem}</div>}
    </div>
  )
}

function control(
  field: FieldSpec,
  path: string,
  value: JsonValue | undefined,
  onChange: (value: JsonValue | undefined) => void,
  context: FormContext,
  id: string,
  invalid: boolean,
): ReactNode {
  const props = { value, onChange, id, invalid }
  switch (field.kind) {
    case 'number':
      return <NumberControl field={field} {...props} />
    case 'enum':
      return <EnumControl field={field} {...props} />
    case 'boolean':
      return <BooleanControl field={field} {...props} />
    case 'string':
      return <StringControl field={field} {...props} />
    case 'expression':
      return (
        <ExpressionEditor id={id} value={typeof value === 'string' ? value : ''} onChange={onChange} inputs={context.expressionInputs} />
      )
    case 'array':
      return <ArrayEditor field={field} path={path} value={value} onChange={onChange} context={context} />
    case 'object':
      return <ObjectEditor field={field} path={path} value={value} onChange={onChange} context={context} />
    default:
      return <JsonControl field={field} {...props} />
  }
}

type ArrayField = Extract<FieldSpec, { kind: 'array' }>

function ArrayEditor({ field, path, value, onChange, context }: RowProps & { field: ArrayField }) {
  const items = Array.isArray(value) ? value : []
  const full = field.maxItems !== undefined && items.length >= field.maxItems
  const update = (i: number, item: JsonValue | undefined) =>
    onChange(items.map((old, j) => (j === i ? (item ?? emptyValue(field.items)) : old)))
  return (
    <div className="array-editor">
      {items.map((item, i) => (
        <div className="array-item" key={i}>
          <FieldRow field={{ ...field.items, title: `#${i + 1}` }} path={`${path}.${i}`} value={item} onChange={(v) => update(i, v)} context={context} />
          <button type="button" className="icon" title="Remove" onClick={() => onChange(items.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="small" disabled={full} onClick={() => onChange([...items, emptyValue(field.items)])}>
        + add
      </button>
    </div>
  )
}

type ObjectField = Extract<FieldSpec, { kind: 'object' }>

function ObjectEditor({ field, path, value, onChange, context }: RowProps & { field: ObjectField }) {
  const object = value && typeof value === 'object' && !Array.isArray(value) ? value : {}
  const set = (name: string, v: JsonValue | undefined) => {
    const next = { ...object }
    if (v === undefined) delete next[name]
    else next[name] = v
    onChange(next)
  }
  return (
    <fieldset className="object-editor">
      {field.fields.map((sub) => (
        <FieldRow key={sub.name} field={sub} path={`${path}.${sub.name}`} value={object[sub.name]} onChange={(v) => set(sub.name, v)} context={context} />
      ))}
    </fieldset>
  )
}
