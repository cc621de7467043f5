// Triggers (`livechat/triggers`): a message the widget shows a visitor on a condition
// (time on the site, a page's URL, the chat opened, after registering).
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { Area, Check, FormButtons, ListTable, LoadError, NewButton, Result, Section, Select, Text, useAction, useLoad } from './ui';

interface Trigger {
  _id?: string;
  name: string;
  description: string;
  enabled: boolean;
  runOnce: boolean;
  conditions: { name: string; value: string | null }[];
  actions: { name: string; params?: { sender?: string; msg?: string; name?: string | null } }[];
}

const CONDITIONS: [string, string][] = [
  ['time-on-site', 'Visitor time on site (seconds)'],
  ['page-url', 'Page URL (a regular expression)'],
  ['chat-opened-by-visitor', 'Visitor opens the chat'],
  ['after-guest-registration', 'Visitor registers'],
];

const EMPTY: Trigger = {
  name: '',
  description: '',
  enabled: true,
  runOnce: false,
  conditions: [{ name: 'time-on-site', value: '' }],
  actions: [{ name: 'send-message', params: { sender: 'queue', msg: '', name: '' } }],
};

export function Triggers() {
  const list = useLoad(async () => (await api.get<{ triggers: Trigger[] }>('livechat/triggers', { count: 0 })).triggers);
  const [editing, setEditing] = useState<Trigger | null>(null);
  const [outcome, busy, run] = useAction();
  const remove = (t: Trigger) =>
    void run(async () => {
      await api.del(`livechat/triggers/${encodeURIComponent(t._id ?? '')}`);
      list.reload();
      return `${t.name} was deleted.`;
    });
  return (
    <Section title="Triggers" intro="Messages the widget shows visitors by itself, on a condition.">
      <NewButton label="New trigger" onClick={() => setEditing(EMPTY)} />
      {editing && (
        <TriggerForm
          key={editing._id ?? 'new'}
          trigger={editing}
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
        label="Triggers"
        rows={list.data}
        rowKey={(t) => t._id ?? ''}
        columns={[
          { title: 'Trigger', cell: (t) => t.name },
          { title: 'Enabled', cell: (t) => (t.enabled ? 'Yes' : 'No') },
          {
            title: 'Condition',
            cell: (t) => t.conditions.map((c) => `${c.name}${c.value ? `: ${c.value}` : ''}`).join(', '),
          },
        ]}
        actions={[
          { label: 'Edit', name: (t) => t.name, onClick: setEditing },
          { label: 'Delete', name: (t) => t.name, onClick: remove, danger: true, disabled: busy },
        ]}
      />
    </Section>
  );
}

function TriggerForm(props: { trigger: Trigger; onClose: () => void; onDone: () => void }) {
  const t = props.trigger;
  const cond = t.conditions[0] ?? { name: 'time-on-site', value: '' };
  const params = t.actions[0]?.params ?? {};
  const [name, setName] = useState(t.name);
  const [description, setDescription] = useState(t.description);
  const [enabled, setEnabled] = useState(t.enabled);
  const [runOnce, setRunOnce] = useState(t.runOnce);
  const [condition, setCondition] = useState(cond.name);
  const [value, setValue] = useState(cond.value ?? '');
  const [sender, setSender] = useState(params.sender ?? 'queue');
  const [agentName, setAgentName] = useState(params.name ?? '');
  const [msg, setMsg] = useState(params.msg ?? '');
  const [outcome, busy, run] = useAction();
  const needsValue = condition === 'time-on-site' || condition === 'page-url';
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api.post('livechat/triggers', {
        ...(t._id !== undefined && { _id: t._id }),
        name: name.trim(),
        description,
        enabled,
        runOnce,
        conditions: [{ name: condition, value: needsValue ? value : null }],
        actions: [
          { name: 'send-message', params: { sender, msg, ...(sender === 'custom' && { name: agentName }) } },
        ],
      });
      props.onDone();
      return 'Saved.';
    });
  };
  return (
    <form class="card" aria-label={t._id ? `Edit trigger ${t.name}` : 'New trigger'} onSubmit={submit}>
      <h2>{t._id ? `Edit trigger ${t.name}` : 'New trigger'}</h2>
      <Check label="Enabled" checked={enabled} onChange={setEnabled} />
      <Check label="Run only once per visitor" checked={runOnce} onChange={setRunOnce} />
      <Text label="Name" value={name} onInput={setName} required />
      <Text label="Description" value={description} onInput={setDescription} />
      <Select label="Condition" value={condition} options={CONDITIONS} onChange={setCondition} />
      {needsValue && <Text label="Condition value" value={value} onInput={setValue} required />}
      <Select
        label="Sender"
        value={sender}
        options={[
          ['queue', 'An agent from the queue'],
          ['custom', 'A name of your choice'],
        ]}
        onChange={setSender}
      />
      {sender === 'custom' && <Text label="Sender name" value={agentName} onInput={setAgentName} required />}
      <Area label="Message" value={msg} onInput={setMsg} />
      <FormButtons submit="Save trigger" busy={busy} disabled={msg.trim() === ''} onCancel={props.onClose} />
      <Result outcome={outcome} />
    </form>
  );
}
