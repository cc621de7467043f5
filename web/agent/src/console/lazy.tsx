// The console's code is a chunk of its own, fetched when a manager first opens it: agents
// never download it.
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../lib/types';

type ConsoleModule = typeof import('./Console');

let loaded: ConsoleModule | null = null;

export function LazyConsole(props: { me: Me; section?: string }) {
  const [mod, setMod] = useState<ConsoleModule | null>(loaded);
  const [error, setError] = useState('');
  useEffect(() => {
    if (mod) return;
    import('./Console').then(
      (m) => {
        loaded = m;
        setMod(m);
      },
      () => setError('The console could not be loaded. Reload the page to try again.'),
    );
  }, [mod]);
  if (error) {
    return (
      <main class="console" aria-label="Manager console">
        <p role="alert" class="denied">
          {error}
        </p>
      </main>
    );
  }
  if (!mod) return <p class="loading">Loading…</p>;
  return <mod.Console {...props} />;
}
