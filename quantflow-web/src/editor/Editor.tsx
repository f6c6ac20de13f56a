// The editor: palette | canvas | side panel, a toolbar above and a dock (log, results, history) below.
import { useReactFlow } from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ApiError } from '../api/client'
import { api } from '../api/endpoints'
import type { JsonObject, NodeTypeInfo, WorkflowDocument, WorkflowOut } from '../api/types'
import type { CatalogIndex } from '../graph/catalog'
import { graphFromWorkflow, workflowFromGraph } from '../graph/convert'
import type { QfEdge, QfNode } from '../graph/model'
import { HistoryPanel } from '../history/HistoryPanel'
import { useDiffView } from '../history/useDiffView'
import { ResultsView } from '../results/ResultsView'
import { RunDialog } from '../runs/RunDialog'
import { runRequestFields } from '../runs/runOptions'
import { RunLog } from '../runs/RunLog'
import { useRun } from '../runs/useRun'
import { Canvas } from './Canvas'
import type { Decorations } from './decorations'
import { DecorationsContext, problemsByNode } from './decorations'
import { Palette } from './Palette'
import { SidePanel } from './SidePanel'
import { Toolbar } from './Toolbar'
import { useGraph } from './useGraph'
import { useLiveProblems } from './useLiveProblems'
import { useShortcuts } from './useShortcuts'

type Dock = 'log' | 'results' | 'history'

interface Props {
  index: CatalogIndex
  initial: WorkflowOut
  onBack: () => void
}

export function Editor({ index, initial, onBack }: Props) {
  const flow = useReactFlow<QfNode, QfEdge>()
  const g = useGraph(useMemo(() => graphFromWorkflow(initial.document), [initial]))
  const [meta, setMeta] = useState<WorkflowOut>(initial)
  const [savedVersion, setSavedVersion] = useState(0)
  const [saving, setSaving] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [dock, setDock] = useState<Dock | null>(null)
  const [runDialog, setRunDialog] = useState(false)
  const run = useRun()
  const diffView = useDiffView()
  const documentNow = useRef<() => WorkflowDocument>(() => meta.document)
  documentNow.current = () => workflowFromGraph(meta.document, g.graph)
  const [problems, setProblems] = useLiveProblems(initial.problems, () => documentNow.current(), g.version)
  const dirty = g.version !== savedVersion
  const finishedBacktest = run.run && run.run.mode !== 'manual' && run.run.status === 'succeeded' ? run.run.id : null
  useEffect(() => {
    if (finishedBacktest) setDock('results')
  }, [finishedBacktest])
  useEffect(() => {
    void runRequestFields() // warm the run options so the Run dialog opens at once
  }, [])

  const save = useCallback(
    async (message: string): Promise<WorkflowOut | null> => {
      setSaving(true)
      const version = g.version
      try {
        const doc = documentNow.current()
        const check = await api.validate(doc)
        const out = await api.saveWorkflow(meta.id, doc, meta.head_revision, message, !check.ok)
        setMeta(out)
        setProblems(out.problems)
        setSavedVersion(version)
        setNotice(out.draft ? `Saved revision ${out.head_revision} as a draft: ${check.problems.length} problem(s) to fix before it can run` : `Saved revision ${out.head_revision}`)
        return out
      } catch (e) {
        const stale = e instanceof ApiError && e.status === 409
        setNotice(stale ? 'Someone saved a newer revision: open History to compare, or reload.' : `Save failed: ${(e as Error).message}`)
        return null
      } finally {
        setSaving(false)
      }
    },
    [g.version, meta, setProblems],
  )

  const startRun = async (body: JsonObject) => {
    const saved = dirty ? await save('before run') : meta
    if (!saved) return
    if (saved.draft) {
      setNotice('This revision has problems; fix them before running.')
      return
    }
    setRunDialog(false)
    setDock('log')
    await run.start(saved.id, { ...body, revision: saved.head_revision }, g.graph.nodes.map((n) => n.id))
  }

  const addAtCentre = (spec: NodeTypeInfo) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect()
    const centre = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 400, y: 300 }
    g.addNode(spec, flow.screenToFlowPosition(centre))
  }
  const selectNode = (id: string) => {
    g.onNodesChange(g.graph.nodes.map((n) => ({ type: 'select', id: n.id, selected: n.id === id })))
    const node = g.graph.nodes.find((n) => n.id === id)
    if (node) flow.setCenter(node.position.x + 90, node.position.y + 40, { zoom: 1.1, duration: 300 })
  }

  const shortcuts = useMemo(
    () => ({
      delete: g.deleteSelected,
      undo: g.undo,
      redo: g.redo,
      copy: g.copy,
      cut: g.cut,
      paste: g.paste,
      selectAll: g.selectAll,
      layout: () => {
        g.layout()
        window.setTimeout(() => flow.fitView({ duration: 300 }), 50)
      },
      save: () => void save(''),
      escape: () => g.onNodesChange(g.graph.nodes.filter((n) => n.selected).map((n) => ({ type: 'select', id: n.id, selected: false }))),
    }),
    [g, flow, save],
  )
  useShortcuts(shortcuts)

  const decorations: Decorations = useMemo(
    () => ({ index, status: run.view?.nodes ?? {}, problems: problemsByNode(problems), diff: diffView.marks }),
    [index, run.view, problems, diffView.marks],
  )
  const selected = g.graph.nodes.filter((n) => n.selected)
  const restored = (out: WorkflowOut) => {
    g.reset(graphFromWorkflow(out.document))
    setSavedVersion(0)
    setMeta(out)
    setProblems(out.problems)
    diffView.clear()
    setNotice(`Restored as revision ${out.head_revision}`)
  }

  return (
    <DecorationsContext.Provider value={decorations}>
      <div className="editor">
        <Toolbar
          workflowId={meta.id}
          name={meta.name}
          revision={meta.head_revision}
          draft={meta.draft}
          dirty={dirty}
          saving={saving}
          notice={notice}
          canUndo={g.canUndo}
          canRedo={g.canRedo}
          onBack={onBack}
          onSave={(m) => void save(m)}
          onUndo={g.undo}
          onRedo={g.redo}
          onLayout={shortcuts.layout}
          onRun={() => setRunDialog((v) => !v)}
          onHistory={() => setDock((d) => (d === 'history' ? null : 'history'))}
        />
        {runDialog && <RunDialog busy={saving} onStart={(body) => void startRun(body)} onClose={() => setRunDialog(false)} />}
        <div className="editor-main">
          <Palette catalog={index.catalog} onAdd={addAtCentre} />
          <Canvas index={index} g={g} ghosts={diffView.ghosts} />
          <SidePanel
            index={index}
            node={selected.length === 1 ? (selected[0] ?? null) : null}
            problems={problems}
            onParams={g.setParams}
            onSelectNode={selectNode}
          />
        </div>
        {dock && (
          <section className="dock">
            <nav className="dock-tabs">
              {(['log', 'results', 'history'] as Dock[]).map((d) => (
                <button key={d} className={dock === d ? 'active' : ''} onClick={() => setDock(d)}>{d}</button>
              ))}
              <span className="spacer" />
              <button className="icon" onClick={() => setDock(null)} title="Close">×</button>
            </nav>
            <div className="dock-body">
              {dock === 'log' && <RunLog run={run.run} view={run.view} error={run.error} />}
              {dock === 'results' && <ResultsView run={run.run} />}
              {dock === 'history' && <HistoryPanel workflow={meta} diffView={diffView} onRestored={restored} />}
            </div>
          </section>
        )}
      </div>
    </DecorationsContext.Provider>
  )
}
