// One room's messages: pages of history (newest first from the `loadHistory` method, which
// unlike `livechat/:rid/messages` keeps the system messages: joined, transferred, closed), new
// and edited messages from `stream-room-messages`, deletions from `stream-notify-room`
// `<rid>/deleteMessage`, typing from `<rid>/user-activity`. After a reconnection the newest
// pages are fetched again and merged by id, so nothing is lost or shown twice.
import { type Ddp, fromEjson } from '../lib/ddp';
import { randomId } from '../lib/ids';
import { api } from '../lib/rest';
import { Store } from '../lib/store';
import type { Message } from '../lib/types';

const PAGE = 50;

/**
 * `loadHistory(rid, end, limit)` through the REST bridge (`method.call`), so it works while
 * the DDP connection is down: the newest `PAGE` messages before `end`, newest first.
 */
async function loadHistory(rid: string, end: number | null): Promise<Message[]> {
  const res = await api.post<{ message: string }>('method.call/loadHistory', {
    message: JSON.stringify({
      msg: 'method',
      id: randomId(),
      method: 'loadHistory',
      params: [rid, end === null ? null : { $date: end }, PAGE, null],
    }),
  });
  const answer = JSON.parse(res.message) as { result?: unknown; error?: { reason?: string; error?: string } };
  if (answer.error) throw new Error(answer.error.reason ?? answer.error.error ?? 'loadHistory failed');
  const result = fromEjson(answer.result) as { messages?: Message[] } | false;
  if (!result) throw new Error('Not allowed');
  return result.messages ?? [];
}

export interface Pending {
  _id: string;
  msg: string;
  failed?: boolean;
}

export class Conversation {
  readonly messages = new Store<Message[]>([]);
  readonly pending = new Store<Pending[]>([]);
  /** Who is typing (usernames other than the agent's). */
  readonly typing = new Store<string[]>([]);
  readonly loading = new Store<boolean>(true);
  readonly complete = new Store<boolean>(false);
  readonly error = new Store<string | null>(null);
  private stops: (() => void)[] = [];
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private myTyping = false;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly rid: string,
    private readonly ddp: Ddp | null,
    private readonly username: string,
  ) {}

  start(): void {
    const ddp = this.ddp;
    if (ddp) {
      this.stops.push(
        ddp.subscribe('room-messages', this.rid, (a) => this.onMessage(a)),
        ddp.subscribe('notify-room', `${this.rid}/deleteMessage`, (a) => this.onDelete(a)),
        ddp.subscribe('notify-room', `${this.rid}/user-activity`, (a) => this.onActivity(a)),
        ddp.onReconnect(() => void this.refresh()),
      );
    }
    void this.loadOlder();
  }

  stop(): void {
    for (const f of this.stops) f();
    this.stops = [];
    if (this.myTyping) this.sendTyping(false);
    clearTimeout(this.typingIdle);
  }

  private merge(incoming: Message[]): void {
    const byId = new Map(this.messages.get().map((m) => [m._id, m]));
    for (const m of incoming) {
      const old = byId.get(m._id);
      if (!old || Date.parse(m._updatedAt ?? m.ts) >= Date.parse(old._updatedAt ?? old.ts)) byId.set(m._id, m);
    }
    const list = [...byId.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
    this.messages.set(list);
    if (incoming.length) {
      const ids = new Set(incoming.map((m) => m._id));
      const pend = this.pending.get();
      if (pend.some((p) => ids.has(p._id))) this.pending.set(pend.filter((p) => !ids.has(p._id)));
    }
  }

  /** The next older page (on scrolling up). */
  async loadOlder(): Promise<void> {
    if (this.complete.get()) return;
    this.loading.set(true);
    try {
      const before = this.messages.get();
      // One millisecond past the oldest shown: messages sharing its time are not skipped
      // (the merge drops the ones already shown).
      const end = before.length ? Math.min(...before.map((m) => Date.parse(m.ts))) + 1 : null;
      const page = await loadHistory(this.rid, end);
      const known = new Set(before.map((m) => m._id));
      this.merge(page);
      if (page.length < PAGE || page.every((m) => known.has(m._id))) this.complete.set(true);
      this.error.set(null);
    } catch (e) {
      this.error.set(e instanceof Error ? e.message : String(e));
    } finally {
      this.loading.set(false);
    }
  }

  /** After a reconnection: newest pages until one overlaps what is shown. */
  async refresh(): Promise<void> {
    const known = new Set(this.messages.get().map((m) => m._id));
    let end: number | null = null;
    for (let pages = 0; pages < 20; pages++) {
      let page: Message[];
      try {
        page = await loadHistory(this.rid, end);
      } catch {
        return;
      }
      const overlap = page.some((m) => known.has(m._id));
      this.merge(page);
      if (overlap || page.length < PAGE) break;
      end = Math.min(...page.map((m) => Date.parse(m.ts))) + 1;
    }
    void this.resendPending();
  }

  private onMessage(args: unknown[]): void {
    const m = args[0] as Message | undefined;
    if (m?._id) this.merge([m]);
  }

  private onDelete(args: unknown[]): void {
    const d = args[0] as { _id?: string } | undefined;
    if (!d?._id) return;
    this.messages.set(this.messages.get().filter((m) => m._id !== d._id));
  }

  private onActivity(args: unknown[]): void {
    const [who, activities] = args as [string | undefined, string[] | undefined];
    if (!who || who === this.username) return;
    const on = Array.isArray(activities) && activities.includes('user-typing');
    clearTimeout(this.typingTimers.get(who));
    const list = this.typing.get().filter((u) => u !== who);
    if (on) {
      this.typing.set([...list, who]);
      // A client that vanished mid-word does not keep the dots forever.
      this.typingTimers.set(
        who,
        setTimeout(() => this.typing.set(this.typing.get().filter((u) => u !== who)), 15_000),
      );
    } else {
      this.typing.set(list);
    }
  }

  /** The agent is typing: tell the room, and stop after a pause. */
  typed(): void {
    clearTimeout(this.typingIdle);
    if (!this.myTyping) this.sendTyping(true);
    this.typingIdle = setTimeout(() => this.sendTyping(false), 3000);
  }

  private sendTyping(on: boolean): void {
    this.myTyping = on;
    if (!this.ddp || this.ddp.state !== 'connected') return;
    void this.ddp
      .call('stream-notify-room', `${this.rid}/user-activity`, this.username, on ? ['user-typing'] : [], {})
      .catch(() => undefined);
  }

  /** Sends with a client id: a retry after a dropped connection is stored once. */
  async send(text: string): Promise<void> {
    const p: Pending = { _id: randomId(), msg: text };
    this.pending.set([...this.pending.get(), p]);
    clearTimeout(this.typingIdle);
    if (this.myTyping) this.sendTyping(false);
    await this.deliver(p);
  }

  private async deliver(p: Pending): Promise<void> {
    try {
      const res = await api.post<{ message: Message }>('chat.sendMessage', {
        message: { _id: p._id, rid: this.rid, msg: p.msg },
      });
      this.merge([res.message]);
    } catch {
      this.pending.set(this.pending.get().map((x) => (x._id === p._id ? { ...x, failed: true } : x)));
    }
  }

  /**
   * An internal note (`POST livechat/notes`, a Ferrochat addition): agents and managers get
   * it on their `stream-room-messages`, the visitor never does.
   */
  async sendNote(text: string): Promise<void> {
    clearTimeout(this.typingIdle);
    if (this.myTyping) this.sendTyping(false);
    const res = await api.post<{ message: Message }>('livechat/notes', { rid: this.rid, msg: text });
    this.merge([res.message]);
  }

  async resendPending(): Promise<void> {
    for (const p of this.pending.get().filter((x) => x.failed)) {
      this.pending.set(this.pending.get().map((x) => (x._id === p._id ? { ...x, failed: false } : x)));
      await this.deliver(p);
    }
  }

  discard(id: string): void {
    this.pending.set(this.pending.get().filter((p) => p._id !== id));
  }

  async edit(m: Message, text: string): Promise<void> {
    const res = await api.post<{ message: Message }>('chat.update', { roomId: this.rid, msgId: m._id, text });
    this.merge([res.message]);
  }

  async remove(m: Message): Promise<void> {
    await api.post('chat.delete', { roomId: this.rid, msgId: m._id });
    this.messages.set(this.messages.get().filter((x) => x._id !== m._id));
  }

  /** Agents' uploads as upstream's client does them: `rooms.media` then `rooms.mediaConfirm`. */
  async upload(file: File, description = ''): Promise<void> {
    const form = new FormData();
    form.append('file', file, file.name);
    const res = await api.upload<{ file: { _id: string } }>(`rooms.media/${encodeURIComponent(this.rid)}`, form);
    const confirmed = await api.post<{ message: Message }>(
      `rooms.mediaConfirm/${encodeURIComponent(this.rid)}/${encodeURIComponent(res.file._id)}`,
      { msg: '', description },
    );
    this.merge([confirmed.message]);
  }
}
