// The chats area: the queue and the agent's chats on the left, the open conversation in
// the middle, the visitor on the right. On a phone-width screen one of them at a time.
import { useState } from 'preact/hooks';
import { duration } from '../components/Time';
import { describe } from '../lib/rest';
import { linkClick, href } from '../lib/router';
import { useStore, useTick } from '../lib/store';
import type { Inquiry } from '../lib/types';
import { ConversationView } from './ConversationView';
import type { WorkspaceData, Chat } from './data';

export function Workspace({ data, rid }: { data: WorkspaceData; rid?: string }) {
  return (
    <main class="workspace" data-view={rid ? 'conversation' : 'lists'}>
      <div class="lists">
        <Queue data={data} />
        <MyChats data={data} {...(rid !== undefined && { current: rid })} />
      </div>
      {rid ? (
        <ConversationView key={rid} data={data} rid={rid} readOnly={false} />
      ) : (
        <section aria-label="Conversation" class="conversation empty">
          <p>Take a chat from the queue or pick one of your chats.</p>
        </section>
      )}
    </main>
  );
}

function Queue({ data }: { data: WorkspaceData }) {
  const queue = useStore(data.queue);
  const depts = useStore(data.departments);
  const now = useTick(1000);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const take = async (i: Inquiry) => {
    setBusy(i._id);
    setError('');
    try {
      await data.take(i);
    } catch (e) {
      setError(describe(e));
      void data.loadQueue();
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-label="Queue" class="panel queue">
      <h2>
        Queue <span class="count">{queue.length}</span>
      </h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {queue.length === 0 ? (
        <p class="muted">Nobody is waiting.</p>
      ) : (
        <ul>
          {queue.map((i) => (
            <li key={i._id} class="item">
              <div class="line">
                <strong class="name">{i.name}</strong>
                <span class="waiting" title="Waiting">
                  {duration(now - Date.parse(i.queuedAt ?? i.ts))}
                </span>
              </div>
              {i.department && <div class="dept">{depts.get(i.department) ?? i.department}</div>}
              <div class="preview">{i.lastMessage?.msg || i.message}</div>
              <button type="button" disabled={busy === i._id} onClick={() => void take(i)}>
                Take
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MyChats({ data, current }: { data: WorkspaceData; current?: string }) {
  const chats = useStore(data.chats);
  return (
    <section aria-label="My chats" class="panel mychats">
      <h2>
        My chats <span class="count">{chats.length}</span>
      </h2>
      {chats.length === 0 ? (
        <p class="muted">No open chats.</p>
      ) : (
        <ul>
          {chats.map((c) => (
            <ChatItem key={c.room._id} chat={c} current={c.room._id === current} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ChatItem({ chat, current }: { chat: Chat; current: boolean }) {
  const { room, unread } = chat;
  const to = { area: 'chats' as const, rid: room._id };
  const online = room.v.status === 'online';
  const last = room.lastMessage;
  const lastText = last ? (last.file ? `File: ${last.file.name}` : last.msg) : '';
  return (
    <li class={current ? 'item chat current' : 'item chat'}>
      <a href={href(to)} onClick={(e) => linkClick(e, to)} aria-current={current ? 'true' : undefined}>
        <div class="line">
          <span class={online ? 'presence online' : 'presence'} title={online ? 'Online' : 'Offline'}>
            <span class="visually-hidden">{online ? 'online' : 'offline'}</span>
          </span>
          <strong class="name">{room.fname}</strong>
          {unread > 0 && (
            <span class="badge" aria-label={`${unread} unread`}>
              {unread}
            </span>
          )}
        </div>
        <div class="preview">{lastText}</div>
      </a>
    </li>
  );
}
