// Undo/redo over graph snapshots. Snapshots are immutable values, so storing them is cheap.

export class History<T> {
  private past: T[] = []
  private future: T[] = []

  constructor(private readonly limit = 200) {}

  /** Record the state before a change. */
  push(state: T): void {
    this.past.push(state)
    if (this.past.length > this.limit) this.past.shift()
    this.future = []
  }

  undo(current: T): T | undefined {
    const previous = this.past.pop()
    if (previous !== undefined) this.future.push(current)
    return previous
  }

  redo(current: T): T | undefined {
    const next = this.future.pop()
    if (next !== undefined) this.past.push(current)
    return next
  }

  get canUndo(): boolean {
    return this.past.length > 0
  }

  get canRedo(): boolean {
    return this.future.length > 0
  }

  clear(): void {
    this.past = []
    this.future = []
  }
}
