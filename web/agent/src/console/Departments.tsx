// Departments with every field upstream's form has: enabled, name, description, e-mail,
// shown on the registration and offline forms, agents, fallback department, most chats at
// once, the departments chats may be forwarded to, and closing tags.
import { useState } from 'preact/hooks';
import { Dialog } from '../components/Dialog';
import { api } from '../lib/rest';
import { departmentAgents, label, listDepartments, listUsers, setDepartmentAgents } from './data';
import type { Department, DepartmentAgent, TeamUser } from './data';
import { Area, Check, FormButtons, ListTable, LoadError, NewButton, Pick, Result, Section, Select, Text, useAction, useLoad } from './ui';

type Editing = { dept: Department | null; agents: DepartmentAgent[] } | null;

export function Departments() {
  const depts = useLoad(listDepartments);
  const agents = useLoad(() => listUsers('agent'));
  const [editing, setEditing] = useState<Editing>(null);
  const [outcome, busy, run] = useAction();
  const edit = (d: Department) =>
    void run(async () => {
      setEditing({ dept: d, agents: await departmentAgents(d._id) });
      return '';
    });
  const remove = (d: Department) => {
    if (!confirm(`Delete the department ${d.name}?`)) return;
    void run(async () => {
      await api.del(`livechat/department/${encodeURIComponent(d._id)}`);
      depts.reload();
      return `${d.name} was deleted.`;
    });
  };
  return (
    <Section title="Departments" intro="Chats can be routed to a department's agents.">
      <NewButton label="New department" onClick={() => setEditing({ dept: null, agents: [] })} />
      <LoadError error={depts.error || agents.error} />
      <Result outcome={outcome} />
      <ListTable
        label="Departments"
        rows={depts.data}
        rowKey={(d) => d._id}
        columns={[
          { title: 'Department', cell: (d) => d.name },
          { title: 'Enabled', cell: (d) => (d.enabled ? 'Yes' : 'No') },
          { title: 'Agents', cell: (d) => d.numAgents ?? 0 },
          { title: 'E-mail', cell: (d) => d.email },
        ]}
        actions={[
          { label: 'Edit', name: (d) => d.name, onClick: edit, disabled: busy },
          { label: 'Delete', name: (d) => d.name, onClick: remove, danger: true, disabled: busy },
        ]}
      />
      {editing && (
        <DepartmentForm
          editing={editing}
          all={depts.data ?? []}
          agents={agents.data ?? []}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            depts.reload();
          }}
        />
      )}
    </Section>
  );
}

function DepartmentForm(props: {
  editing: NonNullable<Editing>;
  all: Department[];
  agents: TeamUser[];
  onClose: () => void;
  onDone: () => void;
}) {
  const d = props.editing.dept;
  const before = props.editing.agents.map((a) => a.agentId);
  const [name, setName] = useState(d?.name ?? '');
  const [description, setDescription] = useState(d?.description ?? '');
  const [email, setEmail] = useState(d?.email ?? '');
  const [enabled, setEnabled] = useState(d?.enabled ?? true);
  const [onRegistration, setOnRegistration] = useState(d?.showOnRegistration ?? true);
  const [onOffline, setOnOffline] = useState(d?.showOnOfflineForm ?? true);
  const [members, setMembers] = useState<string[]>(before);
  const [fallback, setFallback] = useState(d?.fallbackForwardDepartment ?? '');
  const [maxChats, setMaxChats] = useState(String(d?.maxNumberSimultaneousChat ?? ''));
  const [forwardTo, setForwardTo] = useState<string[]>(d?.departmentsAllowedToForward ?? []);
  const [requestTag, setRequestTag] = useState(d?.requestTagBeforeClosingChat ?? false);
  const [tags, setTags] = useState((d?.chatClosingTags ?? []).join(', '));
  const [outcome, busy, run] = useAction();
  const others = props.all.filter((o) => o._id !== d?._id);
  const usernames = new Map(props.agents.map((a) => [a._id, a.username]));
  const ref = (id: string): DepartmentAgent => ({ agentId: id, username: usernames.get(id) ?? '' });
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const department = {
        name: name.trim(),
        description,
        email: email.trim(),
        enabled,
        showOnRegistration: onRegistration,
        showOnOfflineForm: onOffline,
        fallbackForwardDepartment: fallback,
        departmentsAllowedToForward: forwardTo,
        maxNumberSimultaneousChat: maxChats.trim() === '' ? 0 : Number(maxChats),
        requestTagBeforeClosingChat: requestTag,
        chatClosingTags: tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      };
      if (d) {
        await api.put(`livechat/department/${encodeURIComponent(d._id)}`, { department });
        await setDepartmentAgents(
          d._id,
          members.filter((m) => !before.includes(m)).map(ref),
          before.filter((b) => !members.includes(b)).map(ref),
        );
      } else {
        await api.post('livechat/department', { department, agents: members.map(ref) });
      }
      props.onDone();
      return 'Saved.';
    });
  };
  return (
    <Dialog title={d ? `Edit department ${d.name}` : 'New department'} onClose={props.onClose}>
      <form onSubmit={submit} class="wide">
        <Check label="Enabled" checked={enabled} onChange={setEnabled} />
        <Text label="Name" value={name} onInput={setName} required />
        <Area label="Description" value={description} onInput={setDescription} />
        <Text label="E-mail" type="email" value={email} onInput={setEmail} required />
        <Check label="Shown on the registration form" checked={onRegistration} onChange={setOnRegistration} />
        <Check label="Shown on the offline form" checked={onOffline} onChange={setOnOffline} />
        <Pick
          legend="Agents"
          items={props.agents.map((a) => ({ id: a._id, label: label(a) }))}
          chosen={members}
          onChange={setMembers}
          empty="No agents yet."
        />
        <Select
          label="Fallback department"
          value={fallback}
          options={[['', 'None'], ...others.map((o): [string, string] => [o._id, o.name])]}
          onChange={setFallback}
        />
        <Text label="Most simultaneous chats per agent (0: the general setting)" type="number" value={maxChats} onInput={setMaxChats} />
        <Pick
          legend="Departments chats may be forwarded to"
          items={others.map((o) => ({ id: o._id, label: o.name }))}
          chosen={forwardTo}
          onChange={setForwardTo}
          empty="No other departments."
        />
        <Check label="Ask for a tag before closing" checked={requestTag} onChange={setRequestTag} />
        <Text label="Closing tags (comma-separated)" value={tags} onInput={setTags} />
        <Result outcome={outcome} />
        <FormButtons submit="Save department" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
