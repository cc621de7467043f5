// Closed chats: search by visitor name or e-mail and message text (`searchText`), agent,
// department and dates (`livechat/rooms` with upstream's filters), and a read-only
// transcript of the one picked. Agents see the chats they served; managers everyone's.
import { useEffect, useState } from 'preact/hooks';
import { Stamp } from '../components/Time';
import { api, describe } from '../lib/rest';
import { href, linkClick, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import type { Agent, LivechatTag, Room } from '../lib/types';
import { can } from '../session';
import { ConversationView } from './ConversationView';
import type { WorkspaceData } from './data';

const PAGE = 25;

interface Filters {
  text: string;
  agent: string;
  department: string;
  from: string;
  to: string;
  tag: string;
}

const EMPTY: Filters = { text: '', agent: '', department: '', from: '', to: '', tag: '' };

export function History({ data, rid }: { data: WorkspaceData; rid?: string }) {
  const manager = can(data.me, 'view-livechat-rooms');
  const depts = useStore(data.departments);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [rooms, setRooms] = useState<Room[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [tags, setTags] = useState<string[]>([]);

  useEffect(() => {
    // Every tag for those who may see them all, else the public ones and their departments'.
    api
      .get<{ tags: LivechatTag[] }>('livechat/tags', { viewAll: 'true', count: 100 })
      .then((r) => setTags(r.tags.map((t) => t.name)))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    if (!manager) return;
    api
      .get<{ users: Agent[] }>('livechat/users/agent', { count: 100 })
      .then((r) => setAgents(r.users))
      .catch(() => undefined);
  }, [manager]);

  const load = async (f: Filters, offset: number) => {
    setLoading(true);
    setError('');
    try {
      const dates =
        f.from || f.to
          ? JSON.stringify({
              ...(f.from && { start: new Date(`${f.from}T00:00:00`).toISOString() }),
              ...(f.to && { end: new Date(`${f.to}T23:59:59.999`).toISOString() }),
            })
          : undefined;
      const agentsFilter = manager ? (f.agent ? [f.agent] : undefined) : [data.me._id];
      const res = await api.get<{ rooms: Room[]; total: number }>('livechat/rooms', {
        open: 'false',
        ...(agentsFilter && { agents: agentsFilter }),
        ...(f.department && { departmentId: f.department }),
        ...(f.tag && { tags: [f.tag] }),
        ...(dates && { createdAt: dates }),
        ...(f.text.trim() && { searchText: f.text.trim() }),
        sort: JSON.stringify({ closedAt: -1 }),
        offset,
        count: PAGE,
      });
      setRooms((prev) => (offset === 0 ? res.rooms : [...prev, ...res.rooms.filter((r) => !prev.some((p) => p._id === r._id))]));
      setTotal(res.total);
    } catch (e) {
      setError(describe(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(applied, 0);
    // reloads when the filters are applied
  }, [applied]);

  const selected = rid ? rooms.find((r) => r._id === rid) : undefined;
  return (
    <main class="workspace history-area" data-view={rid ? 'conversation' : 'lists'}>
      <section aria-label="History" class="panel history">
        <h2>History</h2>
        <form
          role="search"
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ ...filters });
          }}
        >
          <input
            type="search"
            aria-label="Search chats"
            placeholder="Visitor, e-mail or text"
            value={filters.text}
            onInput={(e) => setFilters({ ...filters, text: e.currentTarget.value })}
          />
          {manager && (
            <label>
              Agent
              <select value={filters.agent} onChange={(e) => setFilters({ ...filters, agent: e.currentTarget.value })}>
                <option value="">Any</option>
                {agents.map((a) => (
                  <option key={a._id} value={a._id}>
                    {a.name ?? a.username}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Department
            <select
              value={filters.department}
              onChange={(e) => setFilters({ ...filters, department: e.currentTarget.value })}
            >
              <option value="">Any</option>
              {[...depts].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {tags.length > 0 && (
            <label>
              Tag
              <select value={filters.tag} onChange={(e) => setFilters({ ...filters, tag: e.currentTarget.value })}>
                <option value="">Any</option>
                {tags.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            From
            <input type="date" value={filters.from} onInput={(e) => setFilters({ ...filters, from: e.currentTarget.value })} />
          </label>
          <label>
            To
            <input type="date" value={filters.to} onInput={(e) => setFilters({ ...filters, to: e.currentTarget.value })} />
          </label>
          <button type="submit">Search</button>
        </form>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {rooms.length === 0 && !loading ? (
          <p class="muted">No closed chats found.</p>
        ) : (
          <ul>
            {rooms.map((r) => {
              const to = { area: 'history' as const, rid: r._id };
              return (
                <li key={r._id} class={r._id === rid ? 'item chat current' : 'item chat'}>
                  <a href={href(to)} onClick={(e) => linkClick(e, to)}>
                    <div class="line">
                      <strong class="name">{r.fname}</strong>
                      <Stamp iso={r.closedAt ?? r.ts} />
                    </div>
                    <div class="preview">
                      {r.servedBy?.username ?? 'unserved'}
                      {r.departmentId && ` · ${depts.get(r.departmentId) ?? ''}`}
                      {r.lastMessage?.msg && ` · ${r.lastMessage.msg}`}
                    </div>
                    {r.tags && r.tags.length > 0 && (
                      <ul class="row-tags" aria-label="Tags">
                        {r.tags.map((t) => (
                          <li key={t} class="tag">
                            {t}
                          </li>
                        ))}
                      </ul>
                    )}
                  </a>
                </li>
              );
            })}
          </ul>
        )}
        {rooms.length < total && (
          <button type="button" class="link" disabled={loading} onClick={() => void load(applied, rooms.length)}>
            More
          </button>
        )}
      </section>
      {rid ? (
        <ConversationView
          key={rid}
          data={data}
          rid={rid}
          readOnly={true}
          {...(selected && { room: selected })}
          back={() => navigate({ area: 'history' })}
        />
      ) : (
        <section aria-label="Conversation" class="conversation empty">
          <p>Pick a chat to read its transcript.</p>
        </section>
      )}
    </main>
  );
}
