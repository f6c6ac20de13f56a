// JSON Schema (as pydantic writes it) -> a small tree of field descriptions the form renders.
// Handles $ref/$defs, nullable anyOf, enums, bounded numbers, arrays, nested objects and defaults.
import type { JsonObject, JsonValue } from '../api/types'

interface Common {
  name: string
  title: string
  description?: string
  default?: JsonValue
  hasDefault: boolean
  required: boolean
  nullable: boolean
}

export type FieldSpec = Common &
  (
    | { kind: 'number'; integer: boolean; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number }
    | { kind: 'string'; minLength?: number; maxLength?: number; pattern?: string; format?: string }
    | { kind: 'expression'; maxLength?: number }
    | { kind: 'enum'; options: JsonValue[] }
    | { kind: 'boolean' }
    | { kind: 'array'; items: FieldSpec; minItems?: number; maxItems?: number }
    | { kind: 'object'; fields: FieldSpec[] }
    | { kind: 'json' }
  )

type Schema = JsonObject

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function resolve(schema: Schema, root: Schema, depth = 0): Schema {
  const ref = str(schema.$ref)
  if (!ref || depth > 20) return schema
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<JsonValue | undefined>((node, key) => (isObject(node) ? node[key] : undefined), root)
  const { $ref: _ignored, ...rest } = schema
  return isObject(target) ? resolve({ ...target, ...rest }, root, depth + 1) : rest
}

/** `anyOf: [X, {type: null}]` -> X marked nullable; a single-member allOf is unwrapped. */
function unwrap(schema: Schema, root: Schema): { schema: Schema; nullable: boolean } {
  let s = resolve(schema, root)
  const allOf = s.allOf
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0])) {
    const { allOf: _a, ...rest } = s
    s = { ...resolve(allOf[0], root), ...rest }
  }
  const variants = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null
  if (variants) {
    const nonNull = variants.filter((v) => !(isObject(v) && v.type === 'null'))
    if (nonNull.length === 1 && isObject(nonNull[0])) {
      const { anyOf: _x, oneOf: _y, ...rest } = s
      return { schema: { ...resolve(nonNull[0], root), ...rest }, nullable: nonNull.length < variants.length }
    }
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null')
    if (types.length === 1) return { schema: { ...s, type: types[0] as string }, nullable: types.length < s.type.length }
  }
  return { schema: s, nullable: false }
}

export function fieldFromSchema(name: string, raw: Schema, root: Schema, required: boolean): FieldSpec {
  const { schema, nullable } = unwrap(raw, root)
  const common: Common = {
    name,
    title: str(schema.title) ?? name,
    description: str(schema.description),
    default: schema.default,
    hasDefault: 'default' in schema,
    required,
    nullable,
  }
  if (Array.isArray(schema.enum)) return { ...common, kind: 'enum', options: schema.enum }
  if ('const' in schema) return { ...common, kind: 'enum', options: [schema.const as JsonValue] }
  switch (schema.type) {
    case 'integer':
    case 'number':
      return {
        ...common,
        kind: 'number',
        integer: schema.type === 'integer',
        minimum: num(schema.minimum),
        maximum: num(schema.maximum),
        exclusiveMinimum: num(schema.exclusiveMinimum),
        exclusiveMaximum: num(schema.exclusiveMaximum),
      }
    case 'boolean':
      return { ...common, kind: 'boolean' }
    case 'string':
      if (schema.format === 'quantflow-expression') return { ...common, kind: 'expression', maxLength: num(schema.maxLength) }
      return {
        ...common,
        kind: 'string',
        minLength: num(schema.minLength),
        maxLength: num(schema.maxLength),
        pattern: str(schema.pattern),
        format: str(schema.format),
      }
    case 'array':
      return {
        ...common,
        kind: 'array',
        items: fieldFromSchema('item', isObject(schema.items) ? schema.items : {}, root, true),
        minItems: num(schema.minItems),
        maxItems: num(schema.maxItems),
      }
    case 'object':
      if (isObject(schema.properties)) return { ...common, kind: 'object', fields: objectFields(schema, root) }
      return { ...common, kind: 'json' }
    default:
      return { ...common, kind: 'json' }
  }
}

function objectFields(schema: Schema, root: Schema): FieldSpec[] {
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : [])
  const properties = isObject(schema.properties) ? schema.properties : {}
  return Object.entries(properties).map(([key, sub]) => fieldFromSchema(key, isObject(sub) ? sub : {}, root, required.has(key)))
}

/** The top-level fields of a node's params schema. */
export function formFields(paramsSchema: Schema): FieldSpec[] {
  return objectFields(resolve(paramsSchema, paramsSchema), paramsSchema)
}

/** What a field shows: the set value, else the schema default, else an empty value of its kind. */
export function effectiveValue(field: FieldSpec, value: JsonValue | undefined): JsonValue | undefined {
  if (value !== undefined) return value
  if (field.hasDefault) return field.default
  return undefined
}

/** The initial value for a new array item or object field. */
export function emptyValue(field: FieldSpec): JsonValue {
  if (field.hasDefault && field.default !== undefined) return field.default
  switch (field.kind) {
    case 'number':
      return field.minimum ?? (field.exclusiveMinimum !== undefined ? field.exclusiveMinimum + 1 : 0)
    case 'boolean':
      return false
    case 'enum':
      return field.options[0] ?? null
    case 'array':
      return []
    case 'object':
      return Object.fromEntries(field.fields.filter((f) => f.required).map((f) => [f.name, emptyValue(f)]))
    default:
      return ''
  }
}

/** A person-readable problem with a value, checked against the field's schema, or null. */
export function checkValue(field: FieldSpec, value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) {
    if (field.required && !field.hasDefault && !field.nullable) return 'required'
    return null
  }
  if (field.kind === 'number') {
    if (typeof value !== 'number' || Number.isNaN(value)) return 'a number is needed'
    if (field.integer && !Number.isInteger(value)) return 'a whole number is needed'
    if (field.minimum !== undefined && value < field.minimum) return `at least ${field.minimum}`
    if (field.maximum !== undefined && value > field.maximum) return `at most ${field.maximum}`
    if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum) return `more than ${field.exclusiveMinimum}`
    if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum) return `less than ${field.exclusiveMaximum}`
  }
  if (field.kind === 'string' && typeof value === 'string') {
    if (field.minLength !== undefined && value.length < field.minLength) return `at least ${field.minLength} characters`
    if (field.maxLength !== undefined && value.length > field.maxLength) return `at most ${field.maxLength} characters`
    if (field.pattern && !new RegExp(field.pattern).test(value)) return `must match ${field.pattern}`
  }
  if (field.kind === 'array' && Array.isArray(value)) {
    if (field.minItems !== undefined && value.length < field.minItems) return `at least ${field.minItems} items`
    if (field.maxItems !== undefined && value.length > field.maxItems) return `at most ${field.maxItems} items`
  }
  return null
}
