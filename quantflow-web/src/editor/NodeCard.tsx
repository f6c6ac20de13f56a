// One node on the canvas: its title, typed handles, and its status/problem/diff decorations.
import { Handle, Position } from '@xyflow/react'
import type { NodeProps } from '@xyflow/react'
import { memo } from 'react'
import type { PortInfo } from '../api/types'
import type { QfNode } from '../graph/model'
import { portColor, useDecorations } from './decorations'

function NodeCardImpl({ id, data, selected }: NodeProps<QfNode>) {
  const { index, status, problems, diff } = useDecorations()
  const spec = index.byType.get(data.typeId)
  const run = status[id]
  const issues = problems[id] ?? []
  const errors = issues.filter((p) => p.severity !== 'warning')
  const classes = ['qf-node', selected ? 'selected' : '', run ? `run-${run.state}` : '', errors.length ? 'has-problem' : issues.length ? 'has-warning' : '', diff[id] ? `diff-${diff[id]}` : '']
  const portProblem = (port: string) => issues.find((p) => p.port === port)
  return (
    <div className={classes.filter(Boolean).join(' ')} data-node-id={id} data-type={data.typeId} data-status={run?.state ?? ''}>
      <div className="qf-node-head">
        <span className="qf-node-title">{data.title ?? spec?.title ?? data.typeId}</span>
        {run && <span className={`run-badge ${run.state}`} title={run.message ?? run.state}>{run.state}</span>}
      </div>
      <div className="qf-node-sub">{id}{spec ? '' : ' · unknown type'}</div>
      <div className="qf-ports">
        <div className="qf-inputs">
          {(spec?.inputs ?? []).map((p) => <PortRow key={p.name} port={p} side="in" problem={Boolean(portProblem(p.name))} />)}
        </div>
        <div className="qf-outputs">
          {(spec?.outputs ?? []).map((p) => <PortRow key={p.name} port={p} side="out" problem={false} />)}
        </div>
      </div>
      {run?.state === 'failed' && run.message && <div className="qf-node-error">{run.message}</div>}
      {run?.state === 'skipped' && run.message && <div className="qf-node-note">{run.message}</div>}
      {errors.length > 0 && (
        <div className="qf-node-problems" title={issues.map((p) => p.message).join('\n')}>
          ⚠ {errors.length} problem{errors.length > 1 ? 's' : ''}
        </div>
      )}
    </div>
  )
}

function PortRow({ port, side, problem }: { port: PortInfo; side: 'in' | 'out'; problem: boolean }) {
  const title = `${port.name}: ${port.type}${port.multiple ? ' (many)' : ''}${port.required ? ' (required)' : ''}${port.description ? ` — ${port.description}` : ''}`
  return (
    <div className={`qf-port ${side}${problem ? ' port-problem' : ''}`} title={title}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.name}
        className="qf-handle"
        style={{ background: portColor(port.type) }}
        data-port={port.name}
        data-port-type={port.type}
      />
      <span>{port.name}</span>
      <small>{port.type}</small>
    </div>
  )
}

export const NodeCard = memo(NodeCardImpl)
