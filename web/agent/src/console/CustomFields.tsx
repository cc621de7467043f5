// Custom fields (`livechat/custom-fields`): extra data about visitors or chats, filled by
// the widget's registration form (visible ones) or by the site's script.
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { Check, LoadError, Result, Section, Select, Text, useAction, useLoad } from './ui';

interface CustomField {
  _id: string;
  label: string;
  scope: 'visitor' | 'room';
  visibility: string;
  type?: string;
  regexp?: string;
  required?: boolean;
  defaultValue?: string;
  options?: string;
  public?: boolean;
  searchable?: boolean;
}

const EMPTY: CustomField = { _id: '', label: '', scope: 'visitor', visibility: 'visible' };

export function CustomFields() {
  const list = useLoad(
    async () => (await api.get<{ customFields: CustomField[] }>('livechat/custom-fields', { count: 0 })).customFields,
  );
  const [editing, setEditing] = useState<{ field: CustomField; isNew: boolean } | null>(null);
  const [outcome, busy, run] = useAction();
  const remove = (f: CustomField) =>
    void run(async () => {
      await api.post('livechat/custom-fields.delete', { customFieldId: f._id });
      list.reload();
      return `${f.label} was deleted.`;
    });
  return (
    <Section title="Custom fields" intro="Extra data about visitors or chats.">
      <div class="buttons start">
        <button type="button" onClick={() => setEditing({ field: EMPTY, isNew: true })}>
          New custom field
        </button>
      </div>
      {editing && (
        <FieldForm
          key={editing.field._id}
          {...editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
      <LoadError error={list.error} />
      <Result outcome={outcome} />
      <table aria-label="Custom fields" class="list">
        <thead>
          <tr>
            <th>Field</th>
            <th>Label</th>
            <th>Scope</th>
            <th>Visible</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((f) => (
            <tr key={f._id}>
              <td>{f._id}</td>
              <td>{f.label}</td>
              <td>{f.scope === 'room' ? 'Chat' : 'Visitor'}</td>
              <td>{f.visibility === 'visible' ? 'Yes' : 'No'}</td>
              <td>
                <div class="row-actions">
                  <button type="button" aria-label={`Edit ${f._id}`} onClick={() => setEditing({ field: f, isNew: false })}>
                    Edit
                  </button>
                  <button type="button" class="danger" disabled={busy} aria-label={`Delete ${f._id}`} onClick={() => remove(f)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function FieldForm(props: { field: CustomField; isNew: boolean; onClose: () => void; onDone: () => void }) {
  const f = props.field;
  const [id, setId] = useState(f._id);
  const [label, setLabel] = useState(f.label);
  const [scope, setScope] = useState<string>(f.scope);
  const [visible, setVisible] = useState(f.visibility === 'visible');
  const [type, setType] = useState(f.type ?? 'input');
  const [options, setOptions] = useState(f.options ?? '');
  const [regexp, setRegexp] = useState(f.regexp ?? '');
  const [required, setRequired] = useState(f.required ?? false);
  const [defaultValue, setDefaultValue] = useState(f.defaultValue ?? '');
  const [isPublic, setPublic] = useState(f.public ?? false);
  const [searchable, setSearchable] = useState(f.searchable ?? false);
  const [outcome, busy, run] = useAction();
  const title = props.isNew ? 'New custom field' : `Edit custom field ${f._id}`;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api.post('livechat/custom-fields.save', {
        customFieldId: props.isNew ? null : f._id,
        customFieldData: {
          field: id.trim(),
          label: label.trim(),
          scope,
          visibility: visible ? 'visible' : 'hidden',
          type,
          regexp,
          required,
          defaultValue,
          options,
          public: isPublic,
          searchable,
        },
      });
      props.onDone();
      return 'Saved.';
    });
  };
  return (
    <form class="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <div class="grid">
        <Text label="Field (its id)" value={id} onInput={setId} required />
        <Text label="Label" value={label} onInput={setLabel} required />
        <Select
          label="Scope"
          value={scope}
          options={[
            ['visitor', 'Visitor'],
            ['room', 'Chat'],
          ]}
          onChange={setScope}
        />
        <Select
          label="Type"
          value={type}
          options={[
            ['input', 'Text'],
            ['select', 'Choice'],
          ]}
          onChange={setType}
        />
        {type === 'select' && <Text label="Choices (comma-separated)" value={options} onInput={setOptions} />}
        <Text label="Default value" value={defaultValue} onInput={setDefaultValue} />
        <Text label="Validation (a regular expression)" value={regexp} onInput={setRegexp} />
      </div>
      <Check label="Visible (asked in the registration form)" checked={visible} onChange={setVisible} />
      <Check label="Required" checked={required} onChange={setRequired} />
      <Check label="Public (the widget may read it)" checked={isPublic} onChange={setPublic} />
      <Check label="Searchable" checked={searchable} onChange={setSearchable} />
      <div class="buttons">
        <button type="button" class="link" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          Save custom field
        </button>
      </div>
      <Result outcome={outcome} />
    </form>
  );
}
