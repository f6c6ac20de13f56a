// The node palette, built only from the server's catalog: grouped by category, searchable.
import { useMemo, useState } from 'react'
import type { NodeCatalog, NodeTypeInfo } from '../api/types'
import { paletteGroups } from '../graph/catalog'
import { portColor } from './decorations'

export const PALETTE_MIME = 'application/x-quantflow-node'

interface Props {
  catalog: NodeCatalog
  onAdd: (spec: NodeTypeInfo) => void
}

export function Palette({ catalog, onAdd }: Props) {
  const [query, setQuery] = useState('')
  const [closed, setClosed] = useState<Set<string>>(new Set())
  const groups = useMemo(() => paletteGroups(catalog, query), [catalog, query])
  const toggle = (category: string) =>
    setClosed((old) => {
      const next = new Set(old)
      if (next.has(category)) next.delete(category)
      else next.add(category)
      return next
    })
  return (
    <aside className="palette" aria-label="Node palette">
      <input className="search" placeholder="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
      <div className="palette-groups">
        {groups.map(({ category, types }) => (
          <section key={category} className="palette-group" data-category={category}>
            <button type="button" className="palette-category" onClick={() => toggle(category)} aria-expanded={!closed.has(category) || Boolean(query)}>
              {closed.has(category) && !query ? '▸' : '▾'} {category} <small>{types.length}</small>
            </button>
            {(!closed.has(category) || query) && types.map((spec) => <PaletteItem key={spec.type_id} spec={spec} onAdd={onAdd} />)}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No node matches “{query}”.</p>}
      </div>
    </aside>
  )
}

function PaletteItem({ spec, onAdd }: { spec: NodeTypeInfo; onAdd: (spec: NodeTypeInfo) => void }) {
  return (
    <div
      className="palette-item"
      draggable
      data-type-id={spec.type_id}
      title={`${spec.type_id} (v${spec.version}, ${spec.plugin}) — double-click or drag onto the canvas`}
      onDragStart={(event) => {
        event.dataTransfer.setData(PALETTE_MIME, spec.type_id)
        event.dataTransfer.effectAllowed = 'copy'
      }}
      onDoubleClick={() => onAdd(spec)}
    >
      <div className="palette-title">
        {spec.title}
        {spec.side_effects && <span className="badge warn" title="Has side effects (places orders, sends messages)">side effects</span>}
        {spec.plugin !== 'core' && <span className="badge">{spec.plugin}</span>}
      </div>
      <div className="palette-desc">{spec.description}</div>
      <div className="palette-ports">
        {spec.inputs.map((p) => <span key={`i-${p.name}`} className="port-chip" style={{ borderColor: portColor(p.type) }}>{p.name}</span>)}
        {spec.outputs.length > 0 && <span className="muted">→</span>}
        {spec.outputs.map((p) => <span key={`o-${p.name}`} className="port-chip" style={{ borderColor: portColor(p.type) }}>{p.name}</span>)}
      </div>
    </div>
  )
}
