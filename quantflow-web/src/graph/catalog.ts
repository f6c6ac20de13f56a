// Lookups over the server's node catalog. Everything the canvas knows about node types comes from here.
import type { NodeCatalog, NodeTypeInfo, PortInfo } from '../api/types'

export interface CatalogIndex {
  catalog: NodeCatalog
  byType: Map<string, NodeTypeInfo>
}

export function indexCatalog(catalog: NodeCatalog): CatalogIndex {
  return { catalog, byType: new Map(catalog.node_types.map((t) => [t.type_id, t])) }
}

export function findPort(spec: NodeTypeInfo | undefined, side: 'in' | 'out', name: string): PortInfo | undefined {
  return (side === 'in' ? spec?.inputs : spec?.outputs)?.find((p) => p.name === name)
}

/** Whether an output of type `source` may feed an input of type `target`, by the server's table. */
export function portsCompatible(catalog: NodeCatalog, source: string, target: string): boolean {
  return catalog.port_compatibility[source]?.includes(target) ?? false
}

export interface PaletteGroup {
  category: string
  types: NodeTypeInfo[]
}

/** Node types grouped by category (in catalog order), filtered by a free-text query. */
export function paletteGroups(catalog: NodeCatalog, query: string): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const groups = new Map<string, NodeTypeInfo[]>()
  for (const spec of catalog.node_types) {
    const haystack = `${spec.title} ${spec.type_id} ${spec.description} ${spec.category} ${spec.plugin}`.toLowerCase()
    if (!words.every((w) => haystack.includes(w))) continue
    const list = groups.get(spec.category) ?? []
    list.push(spec)
    groups.set(spec.category, list)
  }
  return [...groups].map(([category, types]) => ({ category, types }))
}
