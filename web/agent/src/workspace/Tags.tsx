// Tags on a chat: upstream's catalogue (`livechat/tags`: the public tags and the room's
// department's), saved on the room as upstream's room-info form does
// (`livechat/room.saveInfo`, `roomData.tags`); the close dialog adds them on closing.
import { useEffect, useState } from 'preact/hooks';
import { api, describe } from '../lib/rest';
import type { LivechatTag, Room } from '../lib/types';

/**
 * The tags an agent may put on chats of `departmentId` (or the public ones), and a way to
 * read them again (the catalogue has no stream: a picker refreshes it when focused).
 */
export function useAvailableTags(departmentId: string | undefined, enabled = true): [string[], () => void] {
  const [tags, setTags] = useState<string[]>([]);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    api
      .get<{ tags: LivechatTag[] }>('livechat/tags', { ...(departmentId && { department: departmentId }), count: 100 })
      .then((r) => live && setTags(r.tags.map((t) => t.name)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [departmentId, round, enabled]);
  return [tags, () => setRound((n) => n + 1)];
}

export async function saveRoomTags(room: Room, tags: string[]): Promise<void> {
  await api.post('livechat/room.saveInfo', { guestData: { _id: room.v._id }, roomData: { _id: room._id, tags } });
}

/** The chat's tags with remove buttons, and a picker to add one (when `editable`). */
export function RoomTags(props: { room: Room; tags: string[]; onChange: (t: string[]) => void; editable: boolean }) {
  const { room, tags, onChange, editable } = props;
  const [available, refresh] = useAvailableTags(room.departmentId, editable);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  if (!editable && tags.length === 0) return null;

  const save = async (next: string[]) => {
    const before = tags;
    onChange(next);
    setBusy(true);
    setError('');
    try {
      await saveRoomTags(room, next);
    } catch (e) {
      onChange(before);
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const addable = available.filter((t) => !tags.includes(t));
  return (
    <div class="tags" role="group" aria-label="Tags">
      <span class="muted">Tags:</span>
      {tags.length === 0 && <span class="muted">none</span>}
      <ul class="checks" aria-label="Chat tags">
        {tags.map((t) => (
          <li key={t} class="tag">
            {t}
            {editable && (
              <button type="button" class="link" aria-label={`Remove tag ${t}`} disabled={busy} onClick={() => void save(tags.filter((x) => x !== t))}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <select
          aria-label="Add tag"
          value=""
          disabled={busy}
          onFocus={refresh}
          onChange={(e) => {
            const t = e.currentTarget.value;
            e.currentTarget.value = '';
            if (t) void save([...tags, t]);
          }}
        >
          <option value="">{addable.length > 0 ? 'Add tag…' : 'No more tags'}</option>
          {addable.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
