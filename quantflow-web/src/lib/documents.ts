// Helpers for whole workflow documents: new, copies, ids.
import type { WorkflowDocument } from '../api/types'

export function slug(name: string): string {
  const s = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return (s || 'workflow').slice(0, 100)
}

export function emptyWorkflow(name: string): WorkflowDocument {
  return { schema_version: 1, id: slug(name), name, description: '', nodes: [], edges: [] }
}

export function copyOf(doc: WorkflowDocument, name: string): WorkflowDocument {
  return { ...doc, id: slug(name), name }
}
