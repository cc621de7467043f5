// A value that components watch: `useStore(store)` re-renders on every `set`.
import { useEffect, useRef, useState } from 'preact/hooks';

export class Store<T> {
  private listeners = new Set<(v: T) => void>();
  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  set(v: T): void {
    if (Object.is(v, this.value)) return;
    this.value = v;
    for (const f of this.listeners) f(v);
  }

  update(f: (v: T) => T): void {
    this.set(f(this.value));
  }

  watch(f: (v: T) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }
}

export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  const value = store.get();
  const rendered = useRef(value);
  rendered.current = value;
  useEffect(() => {
    const stop = store.watch(() => force((n) => n + 1));
    // A change between this render and the subscription must not be missed.
    if (!Object.is(store.get(), rendered.current)) force((n) => n + 1);
    return stop;
  }, [store]);
  return value;
}

/** Re-renders every `ms` (waiting times that tick). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
