// "My canned responses": the agent's personal responses (scope `user`), created, edited and
// deleted with `POST/DELETE canned-responses` as upstream's client does. The list follows
// `stream-canned-responses`, so a change made elsewhere shows here at once.
import { useState } from 'preact/hooks';
import { Dialog } from '../components/Dialog';
import { describe } from '../lib/rest';
import { useStore } from '../lib/store';
import type { CannedResponse } from '../lib/types';
import type { CannedResponses } from './canned';

export function MyCannedDialog({ canned, onClose }: { canned: CannedResponses; onClose: () => void }) {
  useStore(canned.list);
  const mine = canned.mine();
  const [editing, setEditing] = useState<CannedResponse | null>(null);
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const edit = (r: CannedResponse | null) => {
    setEditing(r);
    setShortcut(r?.shortcut ?? '');
    setText(r?.text ?? '');
    setError('');
    setStatus('');
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const sc = shortcut.trim().replace(/^!/, '');
    if (!sc || !text.trim()) {
      setError('A shortcut and a text are needed.');
      return;
    }
    if (/\s/.test(sc)) {
      setError('A shortcut has no spaces.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      await canned.saveMine({ ...(editing && { _id: editing._id }), shortcut: sc, text: text.trim() });
      setStatus(editing ? 'Saved.' : `!${sc} is ready.`);
      setEditing(null);
      setShortcut('');
      setText('');
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (r: CannedResponse) => {
    if (!confirm(`Delete !${r.shortcut}?`)) return;
    setError('');
    try {
      await canned.remove(r._id);
      if (editing?._id === r._id) edit(null);
      setStatus('Deleted.');
    } catch (err) {
      setError(describe(err));
    }
  };

  return (
    <Dialog title="My canned responses" onClose={onClose}>
      {mine.length === 0 ? (
        <p class="muted">No personal responses yet. Type ! and the shortcut in a message to use one.</p>
      ) : (
        <ul class="canned-list" aria-label="My canned responses">
          {mine.map((r) => (
            <li key={r._id}>
              <div>
                <strong>!{r.shortcut}</strong> <span class="muted">{r.text}</span>
              </div>
              <div class="row-buttons">
                <button type="button" class="link" aria-label={`Edit !${r.shortcut}`} onClick={() => edit(r)}>
                  Edit
                </button>
                <button type="button" class="link danger" aria-label={`Delete !${r.shortcut}`} onClick={() => void remove(r)}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void save(e)} aria-label={editing ? `Edit !${editing.shortcut}` : 'New canned response'}>
        <label>
          Shortcut
          <input value={shortcut} onInput={(e) => setShortcut(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label>
          Text
          <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {status && (
          <p class="muted" role="status">
            {status}
          </p>
        )}
        <div class="buttons">
          {editing && (
            <button type="button" class="link" onClick={() => edit(null)}>
              Cancel edit
            </button>
          )}
          <button type="button" class="link" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={busy}>
            {editing ? 'Save response' : 'Add response'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
