// The right-hand panel: the selected node's generated form, or the workflow's problem list.
import { useMemo } from 'react'
import type { JsonObject, Problem } from '../api/types'
import type { CatalogIndex } from '../graph/catalog'
import type { QfNode } from '../graph/model'
import { SchemaForm } from '../forms/SchemaForm'
import { formFields } from '../forms/schema'

interface Props {
  index: CatalogIndex
  node: QfNode | null
  problems: Problem[]
  onParams: (nodeId: string, params: JsonObject) => void
  onSelectNode: (nodeId: string) => void
}

/** Expression kinds of a node's series inputs: series -> number, bool_series -> bool. */
function expressionInputs(node: QfNode, index: CatalogIndex): Record<string, string> {
  const spec = index.byType.get(node.data.typeId)
  const kinds: Record<string, string> = {}
  for (const port of spec?.inputs ?? []) {
    if (port.type === 'series') kinds[port.name] = 'number'
    if (port.type === 'bool_series') kinds[port.name] = 'bool'
  }
  return kinds
}

export function SidePanel({ index, node, problems, onParams, onSelectNode }: Props) {
  const spec = node ? index.byType.get(node.data.typeId) : undefined
  const fields = useMemo(() => (spec ? formFields(spec.params_schema) : []), [spec])
  if (!node) return <ProblemList problems={problems} onSelectNode={onSelectNode} />
  const nodeProblems = problems.filter((p) => p.node_id === node.id)
  const byParam: Record<string, string> = {}
  for (const p of nodeProblems) if (p.param) byParam[p.param] = p.message
  return (
    <aside className="side-panel" aria-label="Node settings" data-node-id={node.id}>
      <h2>{spec?.title ?? node.data.typeId}</h2>
      <div className="muted small">
        {node.id} · {node.data.typeId} v{node.data.typeVersion}
        {spec && spec.version !== node.data.typeVersion ? ` (catalog has v${spec.version})` : ''}
      </div>
      {spec?.description && <p className="node-description">{spec.description}</p>}
      {nodeProblems.filter((p) => !p.param).map((p, i) => (
        <div key={i} className={`problem ${p.severity}`}>{p.port ? `${p.port}: ` : ''}{p.message}</div>
      ))}
      {spec ? (
        fields.length ? (
          <SchemaForm
            key={node.id}
            fields={fields}
            values={node.data.params}
            onChange={(params) => onParams(node.id, params)}
            context={{ problems: byParam, expressionInputs: expressionInputs(node, index), idPrefix: `p-${node.id}` }}
          />
        ) : (
          <p className="muted">This node has no settings.</p>
        )
      ) : (
        <p className="error-text">No installed plugin provides “{node.data.typeId}”.</p>
      )}
    </aside>
  )
}

function ProblemList({ problems, onSelectNode }: { problems: Problem[]; onSelectNode: (id: string) => void }) {
  return (
    <aside className="side-panel" aria-label="Problems">
      <h2>Workflow</h2>
      <p className="muted small">Select a node to edit its settings.</p>
      <h3>Problems ({problems.length})</h3>
      {problems.length === 0 && <p className="muted">None — the workflow is valid.</p>}
      <ul className="problem-list">
        {problems.map((p, i) => (
          <li key={i} className={`problem ${p.severity}`} data-code={p.code}>
            {p.node_id ? (
              <button type="button" className="link" onClick={() => onSelectNode(p.node_id as string)}>{p.node_id}</button>
            ) : null}{' '}
            <code>{p.code}</code> {p.message}
          </li>
        ))}
      </ul>
    </aside>
  )
}
