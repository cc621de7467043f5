// A conversation: its messages (older pages on scrolling up), typing both ways, the
// composer with attachments, the chat's actions, and the visitor beside it. Read-only
// (closed chats in History, a visitor's earlier chats) shows the transcript alone.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Markdown } from '../components/Markdown';
import { Stamp } from '../components/Time';
import { api, describe } from '../lib/rest';
import { navigate } from '../lib/router';
import { Store, useStore } from '../lib/store';
import type { CannedResponse, Message, Room } from '../lib/types';
import { can, session } from '../session';
import { CloseDialog, TranscriptDialog, TransferDialog } from './Actions';
import { cannedQuery, matching } from './canned';
import { MyCannedDialog } from './CannedDialog';
import { Conversation } from './conversation';
import type { WorkspaceData } from './data';
import { RoomTags } from './Tags';
import { VisitorPanel } from './VisitorPanel';
import { useMarkRead } from './markRead';

export function ConversationView(props: {
  data: WorkspaceData;
  rid: string;
  readOnly: boolean;
  room?: Room;
  back?: () => void;
}) {
  const { data, rid, readOnly } = props;
  const s = session.get();
  const ddp = s.kind === 'signed-in' ? s.ddp : null;
  const chats = useStore(data.chats);
  const live = chats.find((c) => c.room._id === rid)?.room;
  const [fetched, setFetched] = useState<Room | undefined>(undefined);
  const room = live ?? props.room ?? fetched;
  const conv = useMemo(() => new Conversation(rid, readOnly ? null : ddp, data.me.username), [rid, readOnly, ddp, data]);
  const [showVisitor, setShowVisitor] = useState(false);
  const [dialog, setDialog] = useState<'transfer' | 'close' | 'transcript' | null>(null);
  const [actionError, setActionError] = useState('');
  // The tags as last saved here, until the room's document says otherwise.
  const [savedTags, setTags] = useState<string[] | null>(null);
  const tags = savedTags ?? room?.tags ?? [];

  useEffect(() => {
    conv.start();
    return () => conv.stop();
  }, [conv]);
  useEffect(() => {
    if (room) return;
    // A deep link to a chat not in the lists: its document from `rooms.info`.
    api
      .get<{ room: Room }>('rooms.info', { roomId: rid })
      .then((r) => setFetched(r.room))
      .catch(() => undefined);
  }, [rid, room]);
  useMarkRead(data, rid, !readOnly);

  const returnToQueue = async () => {
    setActionError('');
    try {
      await api.post('livechat/inquiries.returnAsInquiry', { roomId: rid });
      data.forget(rid);
      navigate({ area: 'chats' });
    } catch (e) {
      setActionError(describe(e));
    }
  };
  const left = () => {
    data.forget(rid);
    setDialog(null);
    navigate({ area: 'chats' });
  };
  const open = room?.open === true && !readOnly;
  const back = props.back ?? (() => navigate({ area: 'chats' }));

  return (
    <>
      <section aria-label="Conversation" class="conversation">
        <header class="conv-head">
          <button type="button" class="back" onClick={back}>
            ← Back
          </button>
          <div class="title">
            <h2>{room?.fname ?? 'Conversation'}</h2>
            {room && (
              <span class="muted">
                {room.open ? (room.v.status === 'online' ? 'online' : 'offline') : 'closed'}
              </span>
            )}
          </div>
          <button type="button" class="visitor-toggle" aria-expanded={showVisitor} onClick={() => setShowVisitor(!showVisitor)}>
            Visitor info
          </button>
        </header>
        {open && (
          <div class="actions" role="toolbar" aria-label="Chat actions">
            {can(data.me, 'transfer-livechat-guest') && (
              <button type="button" onClick={() => setDialog('transfer')}>
                Transfer
              </button>
            )}
            <button type="button" onClick={() => void returnToQueue()}>
              Return to queue
            </button>
            {can(data.me, 'send-omnichannel-chat-transcript') && (
              <button type="button" onClick={() => setDialog('transcript')}>
                Request transcript
              </button>
            )}
            <button type="button" class="danger" onClick={() => setDialog('close')}>
              Close chat
            </button>
          </div>
        )}
        {room && <RoomTags room={room} tags={tags} onChange={setTags} editable={open} />}
        {actionError && (
          <p class="error" role="alert">
            {actionError}
          </p>
        )}
        <MessageList conv={conv} me={data.me._id} editable={open} />
        {open && <TypingLine conv={conv} />}
        {open ? <Composer conv={conv} data={data} room={room} /> : room && !room.open && <p class="muted closed-note">This chat is closed.</p>}
      </section>
      <VisitorPanel data={data} room={room} shown={showVisitor} onClose={() => setShowVisitor(false)} />
      {dialog === 'transfer' && room && (
        <TransferDialog room={room} me={data.me} onClose={() => setDialog(null)} onDone={left} />
      )}
      {dialog === 'close' && room && <CloseDialog room={room} tags={tags} onClose={() => setDialog(null)} onDone={left} />}
      {dialog === 'transcript' && room && (
        <TranscriptDialog room={room} onClose={() => setDialog(null)} onDone={() => setDialog(null)} />
      )}
    </>
  );
}

/** An internal note's type (`POST livechat/notes`, a Ferrochat addition). */
const NOTE = 'livechat_internal_note';

function systemText(m: Message): string | null {
  switch (m.t) {
    case undefined:
    case '':
      return null;
    case 'uj':
      return `${m.u.name ?? m.u.username} joined the chat`;
    case 'ul':
      return `${m.u.name ?? m.u.username} left the chat`;
    case 'livechat-started':
      return 'Chat started';
    case 'livechat-close':
      return m.msg ? `Chat closed: ${m.msg}` : 'Chat closed';
    case 'livechat_transfer_history': {
      const d = m.transferData;
      const by = d?.transferredBy?.name ?? d?.transferredBy?.username ?? m.u.username;
      const to =
        d?.scope === 'queue'
          ? 'the queue'
          : (d?.transferredTo?.name ?? d?.transferredTo?.username ?? d?.nextDepartment?.name ?? 'another department');
      const what = d?.scope === 'queue' ? `${by} returned the chat to the queue` : `${by} transferred the chat to ${to}`;
      return d?.comment ? `${what}: ${d.comment}` : what;
    }
    case 'livechat_transcript_history':
      return 'Transcript requested';
    case 'livechat_navigation_history':
      return `Visited ${m.navigation?.page?.title ?? m.navigation?.page?.location?.href ?? 'a page'}`;
    case 'command':
      return null;
    default:
      return m.msg || m.t;
  }
}

function visible(m: Message): boolean {
  if (m.t === 'command') return false;
  if (m.t === 'livechat_navigation_history' && m.hidden) return false;
  return true;
}

function MessageList({ conv, me, editable }: { conv: Conversation; me: string; editable: boolean }) {
  const messages = useStore(conv.messages);
  const pending = useStore(conv.pending);
  const loading = useStore(conv.loading);
  const complete = useStore(conv.complete);
  const error = useStore(conv.error);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const anchor = useRef<{ id: string; top: number } | null>(null);
  const first = messages[0]?._id;

  // New messages keep the view at the bottom if it was there; an older page keeps the
  // message that was on top where it was.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const a = anchor.current;
    if (a) {
      const node = el.querySelector<HTMLElement>(`[data-id="${CSS.escape(a.id)}"]`);
      if (node) el.scrollTop = node.offsetTop - a.top;
      anchor.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, pending, first]);

  const older = () => {
    const el = ref.current;
    const top = messages[0];
    if (el && top) {
      const node = el.querySelector<HTMLElement>(`[data-id="${CSS.escape(top._id)}"]`);
      anchor.current = { id: top._id, top: (node?.offsetTop ?? 0) - el.scrollTop };
    }
    void conv.loadOlder();
  };
  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && !loading && !complete) older();
  };

  return (
    <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite">
      {!complete && (
        <button type="button" class="link older" disabled={loading} onClick={older}>
          {loading ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {error && <p class="error">{error}</p>}
      {messages.filter(visible).map((m) => (
        <MessageItem key={m._id} m={m} mine={m.u._id === me && !m.token} conv={conv} editable={editable} />
      ))}
      {pending.map((p) => (
        <div key={p._id} class="msg mine pending" data-id={p._id}>
          <div class="body">
            <p>{p.msg}</p>
          </div>
          <div class="meta">
            {p.failed ? (
              <>
                <span class="error">Not sent.</span>{' '}
                <button type="button" class="link" onClick={() => void conv.resendPending()}>
                  Retry
                </button>{' '}
                <button type="button" class="link" onClick={() => conv.discard(p._id)}>
                  Discard
                </button>
              </>
            ) : (
              'Sending…'
            )}
          </div>
        </div>
      ))}
    </div>
  );
}

function MessageItem({ m, mine, conv, editable }: { m: Message; mine: boolean; conv: Conversation; editable: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(m.msg);
  const [error, setError] = useState('');
  if (m.t === NOTE) {
    const by = m.u.name ?? m.u.username;
    return (
      <article class="msg note" data-id={m._id} aria-label={`Internal note by ${by}`}>
        <div class="meta">
          <span class="note-label">Internal note</span> · <span class="author">{by}</span> <Stamp iso={m.ts} />
        </div>
        <div class="body">
          <Markdown md={m.md} text={m.msg} />
        </div>
      </article>
    );
  }
  const sys = systemText(m);
  if (sys !== null) {
    return (
      <div class="msg system" data-id={m._id}>
        <span>{sys}</span> <Stamp iso={m.ts} />
      </div>
    );
  }
  const who = m.token ? (m.alias ?? m.u.name ?? m.u.username) : (m.u.name ?? m.u.username);
  const save = async () => {
    try {
      await conv.edit(m, text);
      setEditing(false);
      setError('');
    } catch (e) {
      setError(describe(e));
    }
  };
  const remove = async () => {
    if (!confirm('Delete this message?')) return;
    try {
      await conv.remove(m);
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <article class={mine ? 'msg mine' : m.token ? 'msg visitor' : 'msg'} data-id={m._id} aria-label={who}>
      <div class="meta">
        <span class="author">{who}</span> <Stamp iso={m.ts} />
        {m.editedAt && <span class="muted"> (edited)</span>}
      </div>
      {editing ? (
        <div class="edit">
          <textarea aria-label="Edit message" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="button" onClick={() => void save()}>
            Save
          </button>
          <button type="button" class="link" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div class="body">
          {m.msg && <Markdown md={m.md} text={m.msg} />}
          <Files m={m} />
        </div>
      )}
      {error && <p class="error">{error}</p>}
      {mine && editable && !editing && !m.file && (
        <div class="msg-actions">
          <button type="button" class="link" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" class="link" onClick={() => void remove()}>
            Delete
          </button>
        </div>
      )}
    </article>
  );
}

/** Only same-origin file links: files are served by this server (`/file-upload/...`). */
function local(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, location.origin);
    return u.origin === location.origin ? u.pathname + u.search : null;
  } catch {
    return null;
  }
}

function Files({ m }: { m: Message }) {
  const atts = m.attachments ?? [];
  if (atts.length === 0) return null;
  return (
    <div class="files">
      {atts.map((a, i) => {
        const link = local(a.title_link);
        const image = local(a.image_url);
        const audio = local(a.audio_url);
        const video = local(a.video_url);
        return (
          <figure key={i} class="file">
            {image && (
              <a href={image} target="_blank" rel="noopener">
                <img src={image} alt={a.title ?? 'image'} loading="lazy" />
              </a>
            )}
            {audio && <audio controls src={audio} />}
            {video && <video controls src={video} />}
            <figcaption>
              {link ? (
                <a href={link} target="_blank" rel="noopener" download={a.title_link_download ? a.title : undefined}>
                  {a.title ?? 'file'}
                </a>
              ) : (
                a.title
              )}
              {a.description && <span class="muted"> — {a.description}</span>}
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
}

function TypingLine({ conv }: { conv: Conversation }) {
  const typing = useStore(conv.typing);
  return (
    <p class="typing" aria-live="polite">
      {typing.length > 0 ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : ''}
    </p>
  );
}

function Composer({ conv, data, room }: { conv: Conversation; data: WorkspaceData; room: Room | undefined }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [uploading, setUploading] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [note, setNote] = useState(false);
  const [managing, setManaging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const responses = useStore(data.canned?.list ?? NO_RESPONSES);
  const cannedOn = useStore(data.canned?.enabled ?? OFF);
  const canned = cannedOn ? data.canned : null;
  const [query, setQuery] = useState<{ start: number; prefix: string } | null>(null);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const suggestions = useMemo(
    () => (canned && query && dismissed !== query.start ? matching(canned.forRoom(room?.departmentId), query.prefix) : []),
    // `responses` changes when the stream patches the list
    [canned, query, dismissed, room?.departmentId, responses],
  );
  const open = suggestions.length > 0;
  const current = open ? Math.min(active, suggestions.length - 1) : 0;

  const track = (value: string, caret: number) => {
    const q = cannedQuery(value, caret);
    setQuery(q);
    if (!q || q.start !== query?.start || q.prefix !== query.prefix) setActive(0);
    if (!q) setDismissed(null);
  };
  const pick = (r: CannedResponse) => {
    if (!query) return;
    const el = input.current;
    const end = query.start + 1 + query.prefix.length;
    const next = text.slice(0, query.start) + r.text + text.slice(end);
    const caret = query.start + r.text.length;
    setText(next);
    setQuery(null);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  };
  const send = async () => {
    const t = text.trim();
    if (!t) return;
    setText('');
    setQuery(null);
    if (!note) {
      void conv.send(t);
      return;
    }
    setError('');
    try {
      await conv.sendNote(t);
    } catch (e) {
      setError(`The note was not saved: ${describe(e)}`);
      setText((cur) => cur || t);
    }
  };
  const upload = async (files: File[]) => {
    setError('');
    for (const f of files) {
      setUploading((n) => n + 1);
      try {
        await conv.upload(f);
      } catch (e) {
        setError(`${f.name}: ${describe(e)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };
  const listId = `canned-${conv.rid}`;
  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <>
      <form
        class={`composer${dragging ? ' dragging' : ''}${note ? ' note-mode' : ''}`}
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes('Files')) {
            e.preventDefault();
            setDragging(true);
          }
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const files = [...(e.dataTransfer?.files ?? [])];
          if (files.length) void upload(files);
        }}
      >
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {uploading > 0 && <p class="muted">Uploading…</p>}
        <div class="tools">
          <button type="button" class="link toggle" aria-pressed={note} onClick={() => setNote(!note)}>
            Internal note
          </button>
          {note && <span class="muted">Only agents and managers see notes.</span>}
          {canned && (
            <button type="button" class="link" onClick={() => setManaging(true)}>
              My canned responses
            </button>
          )}
        </div>
        {open && (
          <ul class="suggestions" role="listbox" id={listId} aria-label="Canned responses">
            {suggestions.map((r, i) => (
              <li
                key={r._id}
                id={optionId(i)}
                role="option"
                aria-selected={i === current}
                class={i === current ? 'current' : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(r)}
              >
                <strong>!{r.shortcut}</strong> <span class="muted">{r.text}</span>
              </li>
            ))}
          </ul>
        )}
        <div class="row">
          <button type="button" class="icon" aria-label="Attach file" title="Attach file" onClick={() => fileInput.current?.click()}>
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9"
              />
            </svg>
          </button>
          <input
            ref={fileInput}
            type="file"
            hidden
            multiple
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              if (files.length) void upload(files);
            }}
          />
          <textarea
            ref={input}
            aria-label="Message"
            aria-autocomplete={canned ? 'list' : undefined}
            aria-controls={open ? listId : undefined}
            aria-activedescendant={open ? optionId(current) : undefined}
            placeholder={
              note
                ? 'Write an internal note (only agents see it)'
                : `Write a message (Enter sends, Shift+Enter breaks the line${canned ? ', ! for canned responses' : ''})`
            }
            rows={2}
            value={text}
            onInput={(e) => {
              const el = e.currentTarget;
              setText(el.value);
              track(el.value, el.selectionStart);
              // A note is not the visitor's business: no typing dots for it.
              if (!note) conv.typed();
            }}
            onClick={(e) => track(e.currentTarget.value, e.currentTarget.selectionStart)}
            onBlur={() => setQuery(null)}
            onKeyDown={(e) => {
              if (open) {
                if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                  e.preventDefault();
                  const n = suggestions.length;
                  setActive((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
                  return;
                }
                if ((e.key === 'Enter' && !e.shiftKey && !e.isComposing) || e.key === 'Tab') {
                  e.preventDefault();
                  const r = suggestions[current];
                  if (r) pick(r);
                  return;
                }
                if (e.key === 'Escape') {
                  e.preventDefault();
                  // a dialog around must not close too
                  e.stopPropagation();
                  if (query) setDismissed(query.start);
                  return;
                }
              }
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                void send();
              }
            }}
            onPaste={(e) => {
              const files = [...(e.clipboardData?.files ?? [])];
              if (files.length) {
                e.preventDefault();
                void upload(files);
              }
            }}
          />
          <button type="submit">{note ? 'Add note' : 'Send'}</button>
        </div>
      </form>
      {managing && canned && <MyCannedDialog canned={canned} onClose={() => setManaging(false)} />}
    </>
  );
}

const NO_RESPONSES = new Store<CannedResponse[]>([]);
const OFF = new Store<boolean>(false);
