// The chat's actions as dialogs: transfer (to an available agent or an allowed department,
// with a comment), close (comment required when `Livechat_request_comment_when_closing_conversation`
// is on), request the transcript by e-mail.
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from '../components/Dialog';
import { api, describe } from '../lib/rest';
import type { Agent, Department, Me, Room, Visitor } from '../lib/types';
import { saveRoomTags, useAvailableTags } from './Tags';

export function TransferDialog({ room, me, onClose, onDone }: { room: Room; me: Me; onClose: () => void; onDone: () => void }) {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [departments, setDepartments] = useState<Department[]>([]);
  const [agent, setAgent] = useState('');
  const [department, setDepartment] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .get<{ users: Agent[] }>('livechat/users/agent', { onlyAvailable: 'true', excludeId: me._id, count: 100 })
      .then((r) => setAgents(r.users.filter((u) => u._id !== me._id)))
      .catch((e: unknown) => setError(describe(e)));
    (async () => {
      const all = await api.get<{ departments: Department[] }>('livechat/department', { enabled: 'true', count: 100 });
      let list = all.departments.filter((d) => d.enabled && d._id !== room.departmentId);
      // Upstream offers only the departments the current one may forward to, when it says.
      if (room.departmentId) {
        const cur = await api
          .get<{ department: Department | null }>(`livechat/department/${encodeURIComponent(room.departmentId)}`)
          .catch(() => ({ department: null }));
        const allowed = cur.department?.departmentsAllowedToForward;
        if (allowed && allowed.length > 0) list = list.filter((d) => allowed.includes(d._id));
      }
      setDepartments(list);
    })().catch(() => undefined);
  }, [room._id, room.departmentId, me._id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!agent && !department) {
      setError('Choose an agent or a department.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      await api.post('livechat/room.forward', {
        roomId: room._id,
        ...(agent && { userId: agent }),
        ...(department && { departmentId: department }),
        ...(comment.trim() && { comment: comment.trim() }),
      });
      onDone();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Transfer chat" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Agent
          <select value={agent} onChange={(e) => setAgent(e.currentTarget.value)}>
            <option value="">—</option>
            {agents.map((a) => (
              <option key={a._id} value={a._id}>
                {a.name ?? a.username} ({a.username})
              </option>
            ))}
          </select>
        </label>
        <label>
          Department
          <select value={department} onChange={(e) => setDepartment(e.currentTarget.value)}>
            <option value="">—</option>
            {departments.map((d) => (
              <option key={d._id} value={d._id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Comment
          <textarea value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" class="link" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Transfer
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface PublicSetting {
  _id: string;
  value: unknown;
}

/** A public setting (`settings.public`), or upstream's default when it cannot be read. */
async function publicSetting<T>(id: string, fallback: T): Promise<T> {
  try {
    const res = await api.get<{ settings: PublicSetting[] }>('settings.public', { _id: id });
    const s = res.settings.find((x) => x._id === id);
    return s ? (s.value as T) : fallback;
  } catch {
    return fallback;
  }
}

export function CloseDialog(props: { room: Room; tags: string[]; onClose: () => void; onDone: () => void }) {
  const { room, onClose, onDone } = props;
  const [comment, setComment] = useState('');
  const [required, setRequired] = useState(true);
  const [tagsRequired, setTagsRequired] = useState(false);
  const [chosen, setChosen] = useState<string[]>(props.tags);
  const [available] = useAvailableTags(room.departmentId);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void publicSetting('Livechat_request_comment_when_closing_conversation', true).then(setRequired);
  }, []);
  useEffect(() => {
    // The room's department may ask for a tag before closing (`requestTagBeforeClosingChat`).
    if (!room.departmentId) return;
    api
      .get<{ department: Department | null }>(`livechat/department/${encodeURIComponent(room.departmentId)}`, {
        includeAgents: 'false',
      })
      .then((r) => setTagsRequired(r.department?.requestTagBeforeClosingChat === true))
      .catch(() => undefined);
  }, [room.departmentId]);
  const offered = [...new Set([...props.tags, ...available])];
  const toggle = (t: string, on: boolean) => setChosen((c) => (on ? [...c.filter((x) => x !== t), t] : c.filter((x) => x !== t)));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (required && !comment.trim()) {
      setError('Please add a comment.');
      return;
    }
    if (tagsRequired && chosen.length === 0) {
      setError('This department asks for a tag before a chat is closed.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      // Closing adds tags to the room's; one taken off here is taken off the room first.
      if (props.tags.some((t) => !chosen.includes(t))) await saveRoomTags(room, chosen);
      await api.post('livechat/room.closeByUser', {
        rid: room._id,
        ...(comment.trim() && { comment: comment.trim() }),
        ...(chosen.length > 0 && { tags: chosen }),
      });
      onDone();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Close chat" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Comment
          <textarea aria-required={required} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        {(offered.length > 0 || tagsRequired) && (
          <fieldset>
            <legend>{tagsRequired ? 'Tags (at least one)' : 'Tags'}</legend>
            {offered.length === 0 ? (
              <p class="muted">No tags are available for this chat's department.</p>
            ) : (
              <div class="checks">
                {offered.map((t) => (
                  <label key={t}>
                    <input type="checkbox" checked={chosen.includes(t)} onChange={(e) => toggle(t, e.currentTarget.checked)} />
                    {t}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" class="link" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy}>
            Close chat
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function TranscriptDialog({ room, onClose, onDone }: { room: Room; onClose: () => void; onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [subject, setSubject] = useState('Transcript of your chat');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .get<{ visitor: Visitor }>('livechat/visitors.info', { visitorId: room.v._id })
      .then((r) => {
        const e = r.visitor.visitorEmails?.[0]?.address;
        if (e) setEmail((cur) => cur || e);
      })
      .catch(() => undefined);
  }, [room.v._id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.post(`livechat/transcript/${encodeURIComponent(room._id)}`, { email: email.trim(), subject });
      onDone();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Request transcript" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p class="muted">The transcript is e-mailed when the chat closes.</p>
        <label>
          E-mail
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Subject
          <input required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" class="link" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Request transcript
          </button>
        </div>
      </form>
    </Dialog>
  );
}
