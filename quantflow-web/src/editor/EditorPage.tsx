// One workflow's editor: loads the catalog and the workflow, then hands them to the Editor.
import { ReactFlowProvider } from '@xyflow/react'
import { useEffect, useState } from 'react'
import { api } from '../api/endpoints'
import type { Me, WorkflowOut } from '../api/types'
import type { CatalogIndex } from '../graph/catalog'
import { indexCatalog } from '../graph/catalog'
import { Editor } from './Editor'

interface Props {
  workflowId: string
  me: Me
  onBack: () => void
}

export function EditorPage({ workflowId, onBack }: Props) {
  const [index, setIndex] = useState<CatalogIndex | null>(null)
  const [workflow, setWorkflow] = useState<WorkflowOut | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    Promise.all([api.catalog(), api.workflow(workflowId)])
      .then(([catalog, wf]) => {
        setIndex(indexCatalog(catalog))
        setWorkflow(wf)
      })
      .catch((e: Error) => setError(e.message))
  }, [workflowId])
  if (error) return <div className="splash error-text">{error} <button onClick={onBack}>Back</button></div>
  if (!index || !workflow) return <div className="splash">Loading…</div>
  return (
    <ReactFlowProvider>
      <Editor index={index} initial={workflow} onBack={onBack} />
    </ReactFlowProvider>
  )
}
