// Shapes of the server's JSON. The canvas knows node types only through `NodeCatalog`.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface PortInfo {
  name: string
  type: string
  description: string
  required: boolean
  multiple: boolean
}

export interface NodeTypeInfo {
  type_id: string
  version: number
  category: string
  title: string
  description: string
  icon: string
  plugin: string
  inputs: PortInfo[]
  outputs: PortInfo[]
  params_schema: JsonObject
  ui: JsonObject
  side_effects: boolean
  cacheable?: boolean
  stateful?: boolean
  deprecated?: string | null
}

export interface NodeCatalog {
  port_types: string[]
  port_compatibility: Record<string, string[]>
  node_types: NodeTypeInfo[]
}

export interface Position {
  x: number
  y: number
}

export interface WorkflowNode {
  id: string
  type: string
  type_version: number
  params: JsonObject
  position: Position
  title?: string
  [extra: string]: unknown
}

export interface WorkflowEdge {
  source: string
  source_port: string
  target: string
  target_port: string
}

export interface WorkflowDocument {
  schema_version: number
  id: string
  name: string
  description?: string
  nodes: WorkflowNode[]
  edges: WorkflowEdge[]
  [extra: string]: unknown
}

export interface Problem {
  code: string
  severity: string
  message: string
  node_id?: string | null
  param?: string | null
  port?: string | null
  details?: unknown
}

export interface WorkflowSummary {
  id: string
  name: string
  owner: string
  head_revision: number
  draft: boolean
  created_at: string
  updated_at: string
}

export interface WorkflowOut extends WorkflowSummary {
  document: WorkflowDocument
  problems: Problem[]
}

export interface RevisionOut {
  number: number
  author: string
  created_at: string
  message: string
  draft: boolean
}

export interface ParamChange {
  old: unknown
  new: unknown
}

export interface DiffOut {
  from_revision: number
  to_revision: number
  fields: Record<string, ParamChange>
  nodes_added: WorkflowNode[]
  nodes_removed: WorkflowNode[]
  nodes_changed: { node_id: string; params: Record<string, ParamChange>; fields: Record<string, ParamChange> }[]
  edges_added: WorkflowEdge[]
  edges_removed: WorkflowEdge[]
}

export interface ExprParam {
  name: string
  kind: string
  default: unknown
  doc: string
}

export interface ExprFunction {
  name: string
  signature: string
  doc: string
  result: string
  params: ExprParam[]
}

export interface ExprDiagnostic {
  message: string
  line: number
  column: number
  end_column: number
  suggestion?: string | null
}

export interface ExprCheck {
  ok: boolean
  result_kind?: string | null
  diagnostics: ExprDiagnostic[]
}

export interface RunOut {
  id: string
  workflow_id: string
  revision: number
  owner: string
  mode: string
  status: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  error: string | null
  summary: JsonObject | null
}

export interface RunEvent {
  seq?: number
  event: string
  node_id?: string
  message?: string
  reason?: string
  level?: string
  status?: string
  time?: number
  duration_ms?: number
  error_type?: string
  [extra: string]: unknown
}

export interface Me {
  id: number
  username: string
  role: string
}

export interface ActivationTrigger {
  node_id: string
  type: string
  kind: string
  next_wake_at: string | null
}

/** Whether the server's scheduler fires this workflow, at which pinned revision, and when next. */
export interface Activation {
  workflow_id: string
  enabled: boolean
  revision: number | null
  updated_at: string | null
  last_fired_at: string | null
  triggers: ActivationTrigger[]
}
