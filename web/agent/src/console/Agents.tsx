// Agents: create a user who is an agent in one step (`users.create`, then
// `livechat/users/agent`, then its departments), make an existing user an agent, change an
// agent's departments, remove one.
import { useState } from 'preact/hooks';
import { Dialog } from '../components/Dialog';
import { api } from '../lib/rest';
import { agentLimit, label, listDepartments, listUsers, setAgentDepartments } from './data';
import type { Department, TeamUser } from './data';
import { FormButtons, ListTable, LoadError, Pick, Result, Section, Text, method, useAction, useLoad } from './ui';

export function Agents() {
  const agents = useLoad(() => listUsers('agent'));
  const depts = useLoad(listDepartments);
  const [editing, setEditing] = useState<TeamUser | null>(null);
  const [outcome, busy, run] = useAction();
  const deptItems = (depts.data ?? []).map((d) => ({ id: d._id, label: d.name }));
  const names = new Map((depts.data ?? []).map((d) => [d._id, d.name]));
  const remove = (a: TeamUser) =>
    void run(async () => {
      await api.del(`livechat/users/agent/${encodeURIComponent(a._id)}`);
      agents.reload();
      return `${a.username} is no longer an agent.`;
    });
  return (
    <Section title="Agents" intro="Agents answer chats. Create one here, or make an existing user an agent.">
      <NewAgent departments={deptItems} onDone={agents.reload} />
      <ExistingUser onDone={agents.reload} />
      <LoadError error={agents.error || depts.error} />
      <Result outcome={outcome} />
      <ListTable
        label="Agents"
        rows={agents.data}
        rowKey={(a) => a._id}
        columns={[
          { title: 'Agent', cell: label },
          { title: 'E-mail', cell: (a) => a.emails?.[0]?.address ?? '' },
          {
            title: 'Status',
            cell: (a) =>
              `${a.statusLivechat === 'available' ? 'Available' : 'Not available'}${a.status && a.status !== 'online' ? ` (${a.status})` : ''}`,
          },
          { title: 'Departments', cell: (a) => (a.departments ?? []).map((d) => names.get(d) ?? d).join(', ') },
          { title: 'Most chats at once', cell: (a) => (agentLimit(a) > 0 ? agentLimit(a) : 'General limit') },
        ]}
        actions={[
          { label: 'Edit', name: (a) => a.username, onClick: setEditing },
          { label: 'Remove', name: (a) => a.username, onClick: remove, danger: true, disabled: busy },
        ]}
      />
      {editing && (
        <EditAgent
          agent={editing}
          departments={depts.data ?? []}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            agents.reload();
          }}
        />
      )}
    </Section>
  );
}

function NewAgent({ departments, onDone }: { departments: { id: string; label: string }[]; onDone: () => void }) {
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [outcome, busy, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.post<{ user: { _id: string; username: string } }>('users.create', {
        name: name.trim(),
        username: username.trim(),
        email: email.trim(),
        password,
        verified: true,
        roles: ['user'],
      });
      await api.post('livechat/users/agent', { username: r.user.username });
      await setAgentDepartments({ agentId: r.user._id, username: r.user.username }, [], chosen);
      setName('');
      setUsername('');
      setEmail('');
      setPassword('');
      setChosen([]);
      onDone();
      return `${r.user.username} is an agent now.`;
    });
  };
  return (
    <form class="card" aria-label="New agent" onSubmit={submit}>
      <h2>New agent</h2>
      <div class="grid">
        <Text label="Name" value={name} onInput={setName} required />
        <Text label="Username" value={username} onInput={setUsername} required />
        <Text label="E-mail" type="email" value={email} onInput={setEmail} required />
        <Text label="Password" type="password" value={password} onInput={setPassword} required autoComplete="new-password" />
      </div>
      <Pick legend="Departments" items={departments} chosen={chosen} onChange={setChosen} empty="No departments yet." />
      <div class="buttons">
        <button type="submit" disabled={busy}>
          Create agent
        </button>
      </div>
      <Result outcome={outcome} />
    </form>
  );
}

function ExistingUser({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [outcome, busy, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api.post('livechat/users/agent', { username: username.trim() });
      setUsername('');
      onDone();
      return `${username.trim()} is an agent now.`;
    });
  };
  return (
    <form class="card inline" aria-label="Existing user as agent" onSubmit={submit}>
      <Text label="Existing user's username" value={username} onInput={setUsername} required />
      <button type="submit" disabled={busy}>
        Add agent
      </button>
      <Result outcome={outcome} />
    </form>
  );
}

function EditAgent(props: { agent: TeamUser; departments: Department[]; onClose: () => void; onDone: () => void }) {
  const { agent } = props;
  const [chosen, setChosen] = useState<string[]>(agent.departments ?? []);
  const [limit, setLimit] = useState(agentLimit(agent) > 0 ? String(agentLimit(agent)) : '');
  const [outcome, busy, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const n = limit.trim() === '' ? 0 : Number(limit);
      if (!Number.isInteger(n) || n < 0) throw new Error('The chat limit is a whole number, 0 or more.');
      // As upstream's agent form: the agent's data and its departments in one call.
      await method('livechat:saveAgentInfo', agent._id, { ...agent.livechat, maxNumberSimultaneousChat: n }, chosen);
      props.onDone();
      return 'Saved.';
    });
  };
  return (
    <Dialog title={`Agent ${agent.username}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <Pick
          legend="Departments"
          items={props.departments.map((d) => ({ id: d._id, label: d.name }))}
          chosen={chosen}
          onChange={setChosen}
          empty="No departments yet."
        />
        <Text
          label="Most simultaneous chats (empty or 0: the department's or general limit)"
          type="number"
          value={limit}
          onInput={setLimit}
        />
        <p class="muted">A department's own limit comes first, then the agent's, then the general one (Settings).</p>
        <Result outcome={outcome} />
        <FormButtons submit="Save" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
