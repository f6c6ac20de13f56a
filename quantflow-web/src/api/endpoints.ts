// One function per server endpoint the web app uses.
import { del, get, post, put, request } from './client'
import type {
  Activation,
  DiffOut,
  ExprCheck,
  ExprFunction,
  Me,
  NodeCatalog,
  Problem,
  RevisionOut,
  RunEvent,
  RunOut,
  WorkflowDocument,
  WorkflowOut,
  WorkflowSummary,
} from './types'

const wf = (id: string) => `/api/workflows/${encodeURIComponent(id)}`

export const api = {
  login: (username: string, password: string) =>
    request<unknown>('POST', '/api/auth/token', { username, password }, true),
  logout: () => post<unknown>('/api/auth/logout'),
  me: () => get<Me>('/api/me'),
  catalog: () => get<NodeCatalog>('/api/node-types'),
  functions: () => get<ExprFunction[]>('/api/expressions/functions'),
  checkExpression: (expression: string, inputs: Record<string, string>) =>
    post<ExprCheck>('/api/expressions/validate', { expression, inputs }),

  workflows: () => get<WorkflowSummary[]>('/api/workflows/'),
  workflow: (id: string) => get<WorkflowOut>(wf(id)),
  createWorkflow: (document: WorkflowDocument, message = '', draft = true) =>
    post<WorkflowOut>('/api/workflows/', { document, message, draft }),
  importWorkflow: (document: unknown) => post<WorkflowOut>('/api/workflows/import?draft=true', document),
  saveWorkflow: (id: string, document: WorkflowDocument, baseRevision: number, message: string, draft: boolean) =>
    put<WorkflowOut>(wf(id), { document, base_revision: baseRevision, message, draft }),
  deleteWorkflow: (id: string) => del(wf(id)),
  validate: (document: WorkflowDocument) => post<{ ok: boolean; problems: Problem[] }>('/api/workflows/validate', document),
  revisions: (id: string) => get<RevisionOut[]>(`${wf(id)}/revisions`),
  revision: (id: string, n: number) => get<RevisionOut & { document: WorkflowDocument }>(`${wf(id)}/revisions/${n}`),
  diff: (id: string, from: number, to: number) => get<DiffOut>(`${wf(id)}/diff?from=${from}&to=${to}`),
  restore: (id: string, n: number, baseRevision: number) =>
    post<WorkflowOut>(`${wf(id)}/revisions/${n}/restore`, { base_revision: baseRevision }),
  exportWorkflow: (id: string) => get<WorkflowDocument>(`${wf(id)}/export`),
  activation: (id: string) => get<Activation>(`${wf(id)}/activation`),
  setActivation: (id: string, enabled: boolean, revision?: number) =>
    put<Activation>(`${wf(id)}/activation`, revision === undefined ? { enabled } : { enabled, revision }),

  startRun: (id: string, body: Record<string, unknown>) => post<RunOut>(`${wf(id)}/runs`, body),
  run: (runId: string) => get<RunOut>(`/api/runs/${encodeURIComponent(runId)}`),
  runEvents: (runId: string) => get<RunEvent[]>(`/api/runs/${encodeURIComponent(runId)}/events`),
  runResult: (runId: string) => get<Record<string, unknown>>(`/api/runs/${encodeURIComponent(runId)}/result`),
}
