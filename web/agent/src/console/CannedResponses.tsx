// Canned responses (`canned-responses`, upstream Enterprise's API): texts agents insert by
// typing `!shortcut`. Global ones are for everyone, a department's for its agents, a
// personal one for its author only. Shortcuts are unique across all of them.
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { listDepartments } from './data';
import type { Department } from './data';
import { listTags } from './Tags';
import type { Tag } from './Tags';
import { Area, LoadError, Pick, Result, Search, Section, Select, Text, useAction, useLoad } from './ui';

interface Canned {
  _id: string;
  shortcut: string;
  text: string;
  scope: string;
  departmentId?: string;
  tags?: string[];
}

const SCOPES: [string, string][] = [
  ['global', 'Global (every agent)'],
  ['department', 'A department (its agents)'],
  ['user', 'Personal (only me)'],
];

async function listCanned(text: string): Promise<Canned[]> {
  const r = await api.get<{ cannedResponses: Canned[] }>('canned-responses', {
    count: 0,
    ...(text.trim() !== '' && { text: text.trim() }),
  });
  return r.cannedResponses;
}

export function CannedResponses() {
  const [query, setQuery] = useState('');
  const list = useLoad(() => listCanned(query), [query]);
  const depts = useLoad(listDepartments);
  const tags = useLoad(() => listTags());
  const [editing, setEditing] = useState<Canned | null>(null);
  const [outcome, busy, run] = useAction();
  const names = new Map((depts.data ?? []).map((d) => [d._id, d.name]));
  const scope = (c: Canned) =>
    c.scope === 'department' ? `Department ${names.get(c.departmentId ?? '') ?? ''}`.trim() : c.scope === 'user' ? 'Personal' : 'Global';
  const remove = (c: Canned) => {
    if (!confirm(`Delete the canned response !${c.shortcut}?`)) return;
    void run(async () => {
      await api.del('canned-responses', { _id: c._id });
      list.reload();
      return `!${c.shortcut} was deleted.`;
    });
  };
  return (
    <Section title="Canned responses" intro="Ready answers: agents type ! and the shortcut in a chat to insert the text.">
      <div class="buttons start">
        <button type="button" onClick={() => setEditing(NEW)}>
          New canned response
        </button>
      </div>
      {editing && (
        <CannedForm
          key={editing._id || 'new'}
          canned={editing}
          departments={depts.data ?? []}
          tags={tags.data ?? []}
          onClose={() => setEditing(null)}
          onDone={(text) => {
            setEditing(null);
            list.reload();
            void run(() => Promise.resolve(text));
          }}
        />
      )}
      <Search label="Search canned responses" value={query} onInput={setQuery} />
      <LoadError error={list.error || depts.error || tags.error} />
      <Result outcome={outcome} />
      <table aria-label="Canned responses" class="list">
        <thead>
          <tr>
            <th>Shortcut</th>
            <th>Text</th>
            <th>Scope</th>
            <th>Tags</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c._id}>
              <td>!{c.shortcut}</td>
              <td>{c.text}</td>
              <td>{scope(c)}</td>
              <td>{(c.tags ?? []).join(', ')}</td>
              <td>
                <div class="row-actions">
                  <button type="button" aria-label={`Edit ${c.shortcut}`} onClick={() => setEditing(c)}>
                    Edit
                  </button>
                  <button type="button" class="danger" disabled={busy} aria-label={`Delete ${c.shortcut}`} onClick={() => remove(c)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p class="muted">{query ? 'No canned response matches.' : 'No canned responses yet.'}</p>}
    </Section>
  );
}

const NEW: Canned = { _id: '', shortcut: '', text: '', scope: 'global', tags: [] };

function CannedForm(props: {
  canned: Canned;
  departments: Department[];
  tags: Tag[];
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const c = props.canned;
  const title = c._id ? `Edit canned response ${c.shortcut}` : 'New canned response';
  const [shortcut, setShortcut] = useState(c.shortcut);
  const [text, setText] = useState(c.text);
  const [scope, setScope] = useState(c.scope);
  const [department, setDepartment] = useState(c.departmentId ?? props.departments[0]?._id ?? '');
  const [chosen, setChosen] = useState<string[]>(c.tags ?? []);
  const [outcome, busy, run] = useAction();
  // The catalogue's tags, and any the response carries that the catalogue no longer has.
  const tagNames = [...new Set([...props.tags.map((t) => t.name), ...(c.tags ?? [])])];
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const s = shortcut.trim().replace(/^!/, '');
      await api.post('canned-responses', {
        ...(c._id && { _id: c._id }),
        shortcut: s,
        text,
        scope,
        tags: chosen,
        ...(scope === 'department' && { departmentId: department }),
      });
      props.onDone(`!${s} was saved.`);
      return 'Saved.';
    });
  };
  return (
    <form class="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <Text label="Shortcut" value={shortcut} onInput={setShortcut} required placeholder="greet" />
      <Area label="Text" value={text} onInput={setText} />
      <p class="muted">
        Placeholders: {'{{contact.name}}'}, {'{{contact.email}}'}, {'{{contact.phone}}'}, {'{{agent.name}}'},{' '}
        {'{{agent.email}}'}.
      </p>
      <Select label="Scope" value={scope} options={SCOPES} onChange={setScope} />
      {scope === 'department' && (
        <Select
          label="Department"
          value={department}
          options={props.departments.map((d): [string, string] => [d._id, d.name])}
          onChange={setDepartment}
        />
      )}
      <Pick
        legend="Tags"
        items={tagNames.map((n) => ({ id: n, label: n }))}
        chosen={chosen}
        onChange={setChosen}
        empty="No tags yet (Tags)."
      />
      <div class="buttons">
        <button type="button" class="link" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" disabled={busy || text.trim() === '' || (scope === 'department' && !department)}>
          Save canned response
        </button>
      </div>
      <Result outcome={outcome} />
    </form>
  );
}
