// Marking the open chat read, shared by the conversation views.
import { useEffect } from 'preact/hooks';
import { useStore } from '../lib/store';
import type { WorkspaceData } from './data';

/** Keeps a chat's unread count at zero while it is on screen. */
export function useMarkRead(data: WorkspaceData, rid: string, enabled: boolean): void {
  const chats = useStore(data.chats);
  const unread = chats.find((c) => c.room._id === rid)?.unread ?? 0;
  useEffect(() => {
    if (enabled && unread > 0 && document.visibilityState === 'visible') data.markRead(rid);
  }, [data, rid, unread, enabled]);
  useEffect(() => {
    if (!enabled) return;
    const f = () => {
      if (document.visibilityState === 'visible') data.markRead(rid);
    };
    document.addEventListener('visibilitychange', f);
    return () => document.removeEventListener('visibilitychange', f);
  }, [data, rid, enabled]);
}
