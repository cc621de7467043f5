// Who the visitor is and what the chat has been: contact details and custom fields
// (`livechat/visitors.info`), pages visited (`livechat/visitors.pagesVisited/:rid`), earlier
// chats (`livechat/visitors.chatHistory/...`, each opens read-only), and the chat's times.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { duration, Stamp } from '../components/Time';
import { api } from '../lib/rest';
import { href, linkClick } from '../lib/router';
import type { Message, Room, Visitor } from '../lib/types';
import { can } from '../session';
import type { WorkspaceData } from './data';

export function VisitorPanel(props: { data: WorkspaceData; room: Room | undefined; shown: boolean; onClose: () => void }) {
  const { data, room } = props;
  const [visitor, setVisitor] = useState<Visitor | null>(null);
  const [pages, setPages] = useState<Message[] | null>(null);
  const [history, setHistory] = useState<Room[] | null>(null);
  const vid = room?.v._id;
  const rid = room?._id;
  useEffect(() => {
    if (!vid || !rid) return;
    setVisitor(null);
    setPages(null);
    setHistory(null);
    api
      .get<{ visitor: Visitor }>('livechat/visitors.info', { visitorId: vid })
      .then((r) => setVisitor(r.visitor))
      .catch(() => undefined);
    api
      .get<{ pages: Message[] }>(`livechat/visitors.pagesVisited/${encodeURIComponent(rid)}`, { count: 50 })
      .then((r) => setPages(r.pages))
      .catch(() => setPages([]));
    api
      .get<{ history: Room[] }>(
        `livechat/visitors.chatHistory/room/${encodeURIComponent(rid)}/visitor/${encodeURIComponent(vid)}`,
        { count: 20 },
      )
      // Only the chats this agent may open: its own, or every one for those who see all chats.
      .then((r) =>
        setHistory(
          r.history.filter(
            (h) => h._id !== rid && (h.servedBy?._id === data.me._id || can(data.me, 'view-livechat-rooms')),
          ),
        ),
      )
      .catch(() => setHistory([]));
  }, [vid, rid]);

  if (!room) return <section aria-label="Visitor" class={props.shown ? 'visitor-panel shown' : 'visitor-panel'} />;
  const name = visitor?.name ?? room.fname;
  const waited = room.servedBy ? Date.parse(room.servedBy.ts) - Date.parse(room.queuedAt ?? room.ts) : null;
  const firstResponse =
    room.metrics?.response?.ft !== undefined
      ? room.metrics.response.ft * 1000
      : room.responseBy?.firstResponseTs
        ? Date.parse(room.responseBy.firstResponseTs) - Date.parse(room.ts)
        : null;
  const custom = Object.entries({ ...(visitor?.livechatData ?? {}), ...(room.livechatData ?? {}) });
  return (
    <section aria-label="Visitor" class={props.shown ? 'visitor-panel shown' : 'visitor-panel'}>
      <header>
        <h2>{name}</h2>
        <button type="button" class="link visitor-close" onClick={props.onClose}>
          Close
        </button>
      </header>
      <dl>
        <dt>Name</dt>
        <dd>{name}</dd>
        <dt>E-mail</dt>
        <dd>{visitor?.visitorEmails?.map((e) => e.address).join(', ') || '—'}</dd>
        <dt>Phone</dt>
        <dd>{visitor?.phone?.map((p) => p.phoneNumber).join(', ') || '—'}</dd>
        <dt>Department</dt>
        <dd>{data.departmentName(room.departmentId) ?? '—'}</dd>
        <dt>Status</dt>
        <dd>{room.v.status ?? '—'}</dd>
        {custom.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </Fragment>
        ))}
        <dt>Chat started</dt>
        <dd>
          <Stamp iso={room.ts} />
        </dd>
        <dt>Waited</dt>
        <dd>{waited !== null && waited >= 0 ? duration(waited) : '—'}</dd>
        <dt>First response</dt>
        <dd>{firstResponse !== null && firstResponse >= 0 ? duration(firstResponse) : '—'}</dd>
        {room.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>
              <Stamp iso={room.closedAt} />
            </dd>
          </>
        )}
      </dl>
      <h3>Pages visited</h3>
      {pages === null ? (
        <p class="muted">Loading…</p>
      ) : pages.length === 0 ? (
        <p class="muted">None recorded.</p>
      ) : (
        <ul class="pages">
          {pages.map((p) => {
            const page = p.navigation?.page;
            const url = page?.location?.href ?? '';
            return (
              <li key={p._id}>
                <span class="page-title" title={url}>
                  {page?.title ?? url}
                </span>{' '}
                <Stamp iso={p.ts} />
              </li>
            );
          })}
        </ul>
      )}
      <h3>Earlier chats</h3>
      {history === null ? (
        <p class="muted">Loading…</p>
      ) : history.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul class="earlier">
          {history.map((h) => {
            const to = { area: 'history' as const, rid: h._id };
            return (
              <li key={h._id}>
                <a href={href(to)} onClick={(e) => linkClick(e, to)}>
                  <Stamp iso={h.ts} /> {h.lastMessage?.msg ?? ''}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
