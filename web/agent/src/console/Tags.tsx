// Tags (`livechat/tags`, upstream Enterprise's catalogue): what agents put on chats and
// canned responses. A tag with departments is offered only in those departments' chats;
// one without is public. Saved with `livechat:saveTag`, as upstream's client does.
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { listDepartments } from './data';
import type { Department } from './data';
import { LoadError, Pick, Result, Search, Section, Text, method, useAction, useLoad } from './ui';

export interface Tag {
  _id: string;
  name: string;
  description?: string;
  departments: string[];
}

export async function listTags(text = ''): Promise<Tag[]> {
  const r = await api.get<{ tags: Tag[] }>('livechat/tags', {
    viewAll: 'true',
    count: 0,
    sort: '{"name":1}',
    ...(text.trim() !== '' && { text: text.trim() }),
  });
  return r.tags;
}

export function Tags() {
  const [query, setQuery] = useState('');
  const list = useLoad(() => listTags(query), [query]);
  const depts = useLoad(listDepartments);
  const [editing, setEditing] = useState<Tag | null>(null);
  const [outcome, busy, run] = useAction();
  const names = new Map((depts.data ?? []).map((d) => [d._id, d.name]));
  const remove = (t: Tag) => {
    if (!confirm(`Delete the tag ${t.name}?`)) return;
    void run(async () => {
      await api.post('livechat/tags.remove', { id: t._id });
      list.reload();
      return `${t.name} was deleted.`;
    });
  };
  return (
    <Section title="Tags" intro="Agents tag chats (a department may ask for one before a chat is closed) and canned responses.">
      <div class="buttons start">
        <button type="button" onClick={() => setEditing(NEW)}>
          New tag
        </button>
      </div>
      {editing && (
        <TagForm
          key={editing._id || 'new'}
          tag={editing}
          departments={depts.data ?? []}
          onClose={() => setEditing(null)}
          onDone={(text) => {
            setEditing(null);
            list.reload();
            void run(() => Promise.resolve(text));
          }}
        />
      )}
      <Search label="Search tags" value={query} onInput={setQuery} />
      <LoadError error={list.error || depts.error} />
      <Result outcome={outcome} />
      <table aria-label="Tags" class="list">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Description</th>
            <th>Departments</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((t) => (
            <tr key={t._id}>
              <td>{t.name}</td>
              <td>{t.description ?? ''}</td>
              <td>{t.departments.length === 0 ? 'All (public)' : t.departments.map((d) => names.get(d) ?? d).join(', ')}</td>
              <td>
                <div class="row-actions">
                  <button type="button" aria-label={`Edit ${t.name}`} onClick={() => setEditing(t)}>
                    Edit
                  </button>
                  <button type="button" class="danger" disabled={busy} aria-label={`Delete ${t.name}`} onClick={() => remove(t)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p class="muted">{query ? 'No tag matches.' : 'No tags yet.'}</p>}
    </Section>
  );
}

const NEW: Tag = { _id: '', name: '', description: '', departments: [] };

function TagForm(props: { tag: Tag; departments: Department[]; onClose: () => void; onDone: (text: string) => void }) {
  const t = props.tag;
  const title = t._id ? `Edit tag ${t.name}` : 'New tag';
  const [name, setName] = useState(t.name);
  const [description, setDescription] = useState(t.description ?? '');
  const [chosen, setChosen] = useState<string[]>(t.departments);
  const [outcome, busy, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const n = name.trim();
      await method('livechat:saveTag', t._id || null, { name: n, description: description.trim() }, chosen);
      props.onDone(`${n} was saved.`);
      return 'Saved.';
    });
  };
  return (
    <form class="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <Text label="Name" value={name} onInput={setName} required />
      <Text label="Description" value={description} onInput={setDescription} />
      <Pick
        legend="Departments (none: every chat)"
        items={props.departments.map((d) => ({ id: d._id, label: d.name }))}
        chosen={chosen}
        onChange={setChosen}
        empty="No departments yet: the tag is public."
      />
      <div class="buttons">
        <button type="button" class="link" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          Save tag
        </button>
      </div>
      <Result outcome={outcome} />
    </form>
  );
}
