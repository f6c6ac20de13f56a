import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../api/types'
import { SchemaForm } from './SchemaForm'
import { checkValue, emptyValue, formFields } from './schema'

const schema: JsonObject = {
  $defs: {
    Stop: {
      type: 'object',
      properties: { kind: { enum: ['fixed', 'trailing'], type: 'string', default: 'fixed' }, pct: { type: 'number', exclusiveMinimum: 0, maximum: 50 } },
      required: ['pct'],
    },
  },
  type: 'object',
  additionalProperties: false,
  properties: {
    percent: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 100, title: 'Percent', description: '% of equity.' },
    quantity: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    order_type: { type: 'string', enum: ['LO', 'ATO'], default: 'ATO' },
    enabled: { type: 'boolean', default: true },
    symbols: { type: 'array', items: { type: 'string', pattern: '^[A-Z]+$' }, maxItems: 3 },
    stop: { $ref: '#/$defs/Stop' },
    exchange: { anyOf: [{ enum: ['HOSE', 'HNX'], type: 'string' }, { type: 'null' }], default: null },
    formula: { type: 'string', format: 'quantflow-expression', default: 'close > 1' },
    anything: {},
  },
  required: ['symbols'],
}

describe('schema -> fields', () => {
  const fields = formFields(schema)
  const by = (name: string) => fields.find((f) => f.name === name)!

  it('describes every property with its kind', () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['percent', 'number'],
      ['quantity', 'number'],
      ['order_type', 'enum'],
      ['enabled', 'boolean'],
      ['symbols', 'array'],
      ['stop', 'object'],
      ['exchange', 'enum'],
      ['formula', 'expression'],
      ['anything', 'json'],
    ])
  })

  it('keeps bounds, defaults, descriptions and required', () => {
    expect(by('percent')).toMatchObject({ exclusiveMinimum: 0, maximum: 100, default: 100, description: '% of equity.', title: 'Percent' })
    expect(by('quantity')).toMatchObject({ integer: true, minimum: 1 })
    expect(by('symbols')).toMatchObject({ required: true, maxItems: 3, items: { kind: 'string', pattern: '^[A-Z]+$' } })
  })

  it('resolves $ref and nullable anyOf', () => {
    const stop = by('stop')
    expect(stop.kind === 'object' && stop.fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['kind', 'enum', false],
      ['pct', 'number', true],
    ])
    expect(by('exchange')).toMatchObject({ kind: 'enum', nullable: true, options: ['HOSE', 'HNX'], default: null })
  })

  it('checks values against bounds', () => {
    expect(checkValue(by('percent'), 0)).toBe('more than 0')
    expect(checkValue(by('percent'), 50)).toBeNull()
    expect(checkValue(by('quantity'), 1.5)).toBe('a whole number is needed')
    expect(checkValue(by('quantity'), 5000)).toBe('at most 1000')
    expect(checkValue(by('symbols'), ['A', 'B', 'C', 'D'])).toBe('at most 3 items')
    expect(checkValue(by('symbols'), undefined)).toBe('required')
  })

  it('gives new items sensible values', () => {
    expect(emptyValue(by('quantity'))).toBe(100)
    const stop = by('stop')
    expect(emptyValue(stop)).toEqual({ pct: 1 })
  })
})

describe('the generated form', () => {
  const html = renderToStaticMarkup(
    <SchemaForm
      fields={formFields(schema)}
      values={{ quantity: 5000, symbols: ['FPT', 'HPG'] }}
      onChange={() => undefined}
      context={{ problems: { order_type: 'server says no' }, expressionInputs: {}, idPrefix: 'n' }}
    />,
  )

  it('renders a control per field with bounds and defaults', () => {
    expect(html).toContain('type="number"')
    expect(html).toMatch(/id="n-percent"[^>]*max="100"/)
    expect(html).toContain('value="100"')
    expect(html).toContain('<select')
    expect(html).toContain('type="checkbox"')
    expect(html).toContain('checked=""')
    expect(html).toContain('value="FPT"')
    expect(html).toContain('% of equity.')
    expect(html).toContain('class="expr-input"')
  })

  it('shows local and server problems on their fields', () => {
    expect(html).toMatch(/data-param="quantity"[\s\S]*?at most 1000/)
    expect(html).toMatch(/field-problem" data-param="order_type"[\s\S]*?server says no/)
  })
})
