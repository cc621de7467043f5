// Managers: users with the `livechat-manager` role (`livechat/users/manager`).
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { label, listUsers } from './data';
import type { TeamUser } from './data';
import { ListTable, LoadError, Result, Section, Text, useAction, useLoad } from './ui';

export function Managers() {
  const managers = useLoad(() => listUsers('manager'));
  const [username, setUsername] = useState('');
  const [outcome, busy, run] = useAction();
  const add = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api.post('livechat/users/manager', { username: username.trim() });
      setUsername('');
      managers.reload();
      return `${username.trim()} is a manager now.`;
    });
  };
  const remove = (m: TeamUser) =>
    void run(async () => {
      await api.del(`livechat/users/manager/${encodeURIComponent(m._id)}`);
      managers.reload();
      return `${m.username} is no longer a manager.`;
    });
  return (
    <Section title="Managers" intro="Managers see every chat and use this console.">
      <form class="card inline" aria-label="New manager" onSubmit={add}>
        <Text label="Username" value={username} onInput={setUsername} required />
        <button type="submit" disabled={busy}>
          Add manager
        </button>
      </form>
      <LoadError error={managers.error} />
      <Result outcome={outcome} />
      <ListTable
        label="Managers"
        rows={managers.data}
        rowKey={(m) => m._id}
        columns={[
          { title: 'Manager', cell: label },
          { title: 'E-mail', cell: (m) => m.emails?.[0]?.address ?? '' },
        ]}
        actions={[{ label: 'Remove', name: (m) => m.username, onClick: remove, danger: true, disabled: busy }]}
      />
    </Section>
  );
}
