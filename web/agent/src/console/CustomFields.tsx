// Custom fields (`livechat/custom-fields`): extra data about visitors or chats, filled by
// the widget's registration form (visible ones) or by the site's script.
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { Check, FormButtons, ListTable, LoadError, NewButton, Result, Section, Select, Text, useAction, useLoad } from './ui';

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
      <NewButton label="New custom field" onClick={() => setEditing({ field: EMPTY, isNew: true })} />
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
      <ListTable
        label="Custom fields"
        rows={list.data}
        rowKey={(f) => f._id}
        columns={[
          { title: 'Field', cell: (f) => f._id },
          { title: 'Label', cell: (f) => f.label },
          { title: 'Scope', cell: (f) => (f.scope === 'room' ? 'Chat' : 'Visitor') },
          { title: 'Visible', cell: (f) => (f.visibility === 'visible' ? 'Yes' : 'No') },
        ]}
        actions={[
          { label: 'Edit', name: (f) => f._id, onClick: (f) => setEditing({ field: f, isNew: false }) },
          { label: 'Delete', name: (f) => f._id, onClick: remove, danger: true, disabled: busy },
        ]}
      />
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
      <FormButtons submit="Save custom field" busy={busy} onCancel={props.onClose} />
      <Result outcome={outcome} />
    </form>
  );
}
