// The connection banner: never silently dead. It is a live status region, so screen
// readers hear when the connection drops and comes back.
import { useEffect, useState } from 'preact/hooks';
import type { ConnectionState, Ddp } from '../lib/ddp';

export function ConnectionBanner({ ddp }: { ddp: Ddp }) {
  const [state, setState] = useState<ConnectionState>(ddp.state);
  useEffect(() => {
    setState(ddp.state);
    return ddp.onState(setState);
  }, [ddp]);
  const text =
    state === 'reconnecting' ? 'Connection lost. Reconnecting…' : state === 'connecting' ? 'Connecting…' : '';
  return (
    <div role="status" class={text ? 'banner' : 'banner hidden'} data-state={state}>
      {text}
    </div>
  );
}
