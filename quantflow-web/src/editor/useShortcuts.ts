// Canvas keyboard shortcuts; ignored while typing in a field.
import { useEffect } from 'react'

export type Shortcuts = Partial<Record<'delete' | 'undo' | 'redo' | 'copy' | 'cut' | 'paste' | 'selectAll' | 'save' | 'layout' | 'escape', () => void>>

export const SHORTCUT_HELP: [string, string][] = [
  ['Delete / Backspace', 'delete selection'],
  ['Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', 'undo / redo'],
  ['Ctrl+C / Ctrl+X / Ctrl+V', 'copy / cut / paste'],
  ['Ctrl+A', 'select all'],
  ['Shift+click, Shift+drag', 'multi-select'],
  ['Ctrl+S', 'save'],
  ['Shift+L', 'auto-layout'],
]

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)))
}

export function keyToAction(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>): keyof Shortcuts | null {
  const mod = e.ctrlKey || e.metaKey
  const key = e.key.toLowerCase()
  if (!mod && (key === 'delete' || key === 'backspace')) return 'delete'
  if (!mod && key === 'escape') return 'escape'
  if (!mod && e.shiftKey && key === 'l') return 'layout'
  if (!mod) return null
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (key === 'y') return 'redo'
  if (key === 'c') return 'copy'
  if (key === 'x') return 'cut'
  if (key === 'v') return 'paste'
  if (key === 'a') return 'selectAll'
  if (key === 's') return 'save'
  return null
}

export function useShortcuts(shortcuts: Shortcuts): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = keyToAction(event)
      if (!action || (typing(event.target) && action !== 'save')) return
      const handler = shortcuts[action]
      if (!handler) return
      event.preventDefault()
      handler()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [shortcuts])
}
