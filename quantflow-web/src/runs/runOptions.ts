// What a run request may contain, read from the server's OpenAPI document (RunRequest schema),
// so new run modes (e.g. backtest with symbols and dates) appear without a web rebuild.
import { get } from '../api/client'
import type { JsonObject } from '../api/types'
import type { FieldSpec } from '../forms/schema'
import { formFields } from '../forms/schema'

let cached: Promise<FieldSpec[]> | null = null

export function runRequestFields(): Promise<FieldSpec[]> {
  cached ??= get<JsonObject>('/schema/openapi.json')
    .then((doc) => {
      const schemas = ((doc.components as JsonObject | undefined)?.schemas ?? {}) as JsonObject
      const name = Object.keys(schemas).find((k) => /(^|_)RunRequest$/.test(k))
      const schema = name ? (schemas[name] as JsonObject) : null
      if (!schema) return []
      return formFields({ ...schema, components: doc.components ?? {} }).filter((f) => f.name !== 'revision')
    })
    .catch(() => [])
  return cached
}

/** The modes a run may have (the enum of the `mode` field), `manual` if unknown. */
export function runModes(fields: FieldSpec[]): string[] {
  const mode = fields.find((f) => f.name === 'mode')
  if (mode?.kind === 'enum') return mode.options.map(String)
  return ['manual']
}
