// A live preview of the real widget: this server's own `/livechat` in an iframe (popped-out
// mode, so it shows open), themed through the widget's own `setTheme` message once it says
// it is `ready`. Clicks are kept off it: it is a picture, not a visitor.
//
// The widget keeps a theme it was sent in its stored state (this origin's localStorage, as
// visitors' widgets in this browser share it), so only the values that differ from the saved
// ones are sent; the rest are left unset and the widget shows its configuration.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Theme {
  title: string;
  color: string;
  offlineTitle?: string;
}

const unsaved = (now: string | undefined, saved: string | undefined) => (now !== saved ? now : undefined);

export function Preview({ theme, saved }: { theme: Theme; saved: Theme }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const f = (e: MessageEvent) => {
      const d = e.data as { src?: unknown; fn?: unknown } | null;
      if (e.source === ref.current?.contentWindow && d?.src === 'rocketchat' && d.fn === 'ready') setReady(true);
    };
    addEventListener('message', f);
    return () => removeEventListener('message', f);
  }, []);
  useEffect(() => {
    if (!ready) return;
    const args = {
      title: unsaved(theme.title, saved.title),
      color: unsaved(theme.color, saved.color),
      offlineTitle: unsaved(theme.offlineTitle, saved.offlineTitle),
    };
    ref.current?.contentWindow?.postMessage({ src: 'rocketchat', fn: 'setTheme', args: [args] }, location.origin);
  }, [ready, theme.title, theme.color, theme.offlineTitle, saved.title, saved.color, saved.offlineTitle]);
  return (
    <figure class="preview">
      <iframe ref={ref} title="Widget preview" src="/livechat?mode=popout" tabIndex={-1} />
      <figcaption class="muted">Preview: what visitors see now (the offline form while no agent is available).</figcaption>
    </figure>
  );
}
