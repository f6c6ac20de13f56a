// A small catalog in the server's shape, for unit tests.
import type { NodeCatalog, NodeTypeInfo, PortInfo } from '../api/types'

const port = (name: string, type: string, extra: Partial<PortInfo> = {}): PortInfo => ({
  name,
  type,
  description: '',
  required: true,
  multiple: false,
  ...extra,
})

const spec = (type_id: string, category: string, inputs: PortInfo[], outputs: PortInfo[], params_schema = {}): NodeTypeInfo => ({
  type_id,
  version: 1,
  category,
  title: type_id.split(':')[1] ?? type_id,
  description: `${type_id} does things`,
  icon: '',
  plugin: type_id.split(':')[0] ?? '',
  inputs,
  outputs,
  params_schema: { type: 'object', properties: {}, ...params_schema },
  ui: {},
  side_effects: false,
})

export const catalog: NodeCatalog = {
  port_types: ['event', 'frame', 'series', 'bool_series', 'scalar', 'any'],
  port_compatibility: {
    event: ['any', 'event'],
    frame: ['any', 'frame'],
    series: ['any', 'series'],
    bool_series: ['any', 'bool_series', 'series'],
    scalar: ['any', 'scalar', 'series'],
    any: ['any', 'bool_series', 'event', 'frame', 'scalar', 'series'],
  },
  node_types: [
    spec('core:trigger', 'trigger', [], [port('out', 'event')]),
    spec('core:bars', 'data', [port('trigger', 'event', { required: false })], [port('frame', 'frame')]),
    spec('core:indicator', 'data', [port('frame', 'frame')], [port('out', 'series')]),
    spec('core:crossover', 'logic', [port('a', 'series'), port('b', 'series')], [port('out', 'bool_series')]),
    spec('core:and', 'logic', [port('conditions', 'bool_series', { multiple: true })], [port('out', 'bool_series')]),
  ],
}
