// The workspace's live data: the queue, the agent's open chats and the departments, kept
// right by the streams Rocket.Chat clients listen to and reloaded from REST whenever the
// socket reconnects (events sent while it was down are lost, so the lists are fetched anew
// and replace what was shown: nothing missing, nothing twice).
import { alertLog, chime, notify, setTitleCount } from '../lib/alerts';
import type { Ddp } from '../lib/ddp';
import { api, ApiError, isMissing } from '../lib/rest';
import { Store } from '../lib/store';
import type { AgentDepartment, Department, Inquiry, Me, Message, Room, Subscription } from '../lib/types';
import { navigate, route } from '../lib/router';
import { can } from '../session';
import { CannedResponses } from './canned';

export interface Chat {
  room: Room;
  /** Unread messages: the subscription's counter, or counted here from the stream. */
  unread: number;
}

type InquiryEvent = Inquiry & { type: 'added' | 'changed' | 'removed' };

const byWaiting = (a: Inquiry, b: Inquiry) => Date.parse(a.queuedAt ?? a.ts) - Date.parse(b.queuedAt ?? b.ts);
const byActivity = (a: Chat, b: Chat) => Date.parse(b.room.lm ?? b.room.ts) - Date.parse(a.room.lm ?? a.room.ts);

export class WorkspaceData {
  readonly queue = new Store<Inquiry[]>([]);
  readonly chats = new Store<Chat[]>([]);
  readonly departments = new Store<Map<string, string>>(new Map());
  /** The agent's own departments (where the queue stream is listened to). */
  private myDepartments: string[] = [];
  private stops: (() => void)[] = [];
  private deptStops: (() => void)[] = [];
  /** Rooms this agent took itself: their arrival in My chats is not an alert. */
  private taking = new Set<string>();
  /** Subscriptions heard of before their room document. */
  private waitingRooms = new Map<string, Subscription>();
  private subscriptionsApi = true;
  /** Canned responses, when the agent's roles may use them (`view-canned-responses`). */
  readonly canned: CannedResponses | null;

  constructor(
    readonly me: Me,
    readonly ddp: Ddp,
  ) {
    this.canned = can(me, 'view-canned-responses') ? new CannedResponses(ddp, me._id) : null;
  }

  start(): void {
    const uid = this.me._id;
    this.stops.push(
      this.ddp.subscribe('livechat-inquiry-queue-observer', 'public', (a) => this.onInquiry(a)),
      this.ddp.subscribe('notify-user', `${uid}/subscriptions-changed`, (a) => this.onSubscription(a)),
      this.ddp.subscribe('notify-user', `${uid}/rooms-changed`, (a) => this.onRoom(a)),
      this.ddp.onReconnect(() => void this.reload()),
      this.queue.watch(() => this.updateTitle()),
      this.chats.watch(() => this.updateTitle()),
    );
    void this.reload();
    this.canned?.start();
  }

  stop(): void {
    this.canned?.stop();
    for (const f of [...this.stops, ...this.deptStops]) f();
    this.stops = [];
    this.deptStops = [];
    setTitleCount(0);
  }

  private updateTitle(): void {
    const unread = this.chats.get().filter((c) => c.unread > 0).length;
    setTitleCount(this.queue.get().length + unread);
  }

  async reload(): Promise<void> {
    await this.loadDepartments();
    await Promise.all([this.loadQueue(), this.loadChats()]);
  }

  // Departments: the agent's own (`livechat/agents/:id/departments`), whose queues it
  // watches, and every department's name for the lists (`livechat/department`).
  private async loadDepartments(): Promise<void> {
    const names = new Map<string, string>();
    try {
      const res = await api.get<{ departments: Department[] }>('livechat/department', { count: 100 });
      for (const d of res.departments) names.set(d._id, d.name);
    } catch {
      // names are a nicety
    }
    let mine: string[] = [];
    try {
      const res = await api.get<{ departments: AgentDepartment[] }>(
        `livechat/agents/${encodeURIComponent(this.me._id)}/departments`,
        { enabledDepartmentsOnly: 'true' },
      );
      mine = res.departments.map((d) => d.departmentId);
      for (const d of res.departments) if (d.departmentName) names.set(d.departmentId, d.departmentName);
    } catch {
      // An older server: managers see every department's queue.
      if (can(this.me, 'view-livechat-manager')) mine = [...names.keys()];
    }
    this.departments.set(names);
    if (mine.join() !== this.myDepartments.join()) {
      for (const f of this.deptStops) f();
      this.myDepartments = mine;
      this.deptStops = mine.map((d) =>
        this.ddp.subscribe('livechat-inquiry-queue-observer', `department/${d}`, (a) => this.onInquiry(a)),
      );
    }
  }

  async loadQueue(): Promise<void> {
    try {
      const res = await api.get<{ inquiries: Inquiry[] }>('livechat/inquiries.queuedForUser', { count: 100 });
      this.queue.set(res.inquiries.filter((i) => i.status === 'queued').sort(byWaiting));
    } catch {
      // kept as it was; the next reconnection tries again
    }
  }

  async loadChats(): Promise<void> {
    let rooms: Room[];
    try {
      const res = await api.get<{ rooms: Room[] }>('livechat/rooms', {
        agents: [this.me._id],
        open: 'true',
        count: 100,
      });
      rooms = res.rooms;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return;
      return;
    }
    const unread = new Map<string, number>();
    if (this.subscriptionsApi) {
      try {
        const res = await api.get<{ update: Subscription[] }>('subscriptions.get');
        for (const s of res.update) if (s.t === 'l') unread.set(s.rid, s.unread);
      } catch (e) {
        if (isMissing(e)) this.subscriptionsApi = false;
      }
    }
    const before = new Map(this.chats.get().map((c) => [c.room._id, c.unread]));
    this.chats.set(
      rooms
        .filter((r) => r.open && r.servedBy?._id === this.me._id)
        .map((room) => ({ room, unread: unread.get(room._id) ?? before.get(room._id) ?? 0 }))
        .sort(byActivity),
    );
  }

  private onInquiry(args: unknown[]): void {
    const ev = args[0] as InquiryEvent | undefined;
    if (!ev?._id) return;
    const { type, ...inquiry } = ev;
    const list = this.queue.get();
    const known = list.some((i) => i._id === inquiry._id);
    const waiting = type !== 'removed' && inquiry.status === 'queued';
    if (!waiting) {
      if (known) this.queue.set(list.filter((i) => i._id !== inquiry._id));
      return;
    }
    if (known) {
      this.queue.set(list.map((i) => (i._id === inquiry._id ? inquiry : i)).sort(byWaiting));
      return;
    }
    this.queue.set([...list, inquiry].sort(byWaiting));
    this.alert('New chat in queue', `${inquiry.name}: ${inquiry.lastMessage?.msg || inquiry.message}`, () => navigate({ area: 'chats' }));
  }

  private alert(title: string, body: string, onClick: () => void): void {
    chime();
    notify(title, body, onClick);
  }

  private onSubscription(args: unknown[]): void {
    const [action, sub] = args as [string, Subscription | undefined];
    if (!sub || sub.t !== 'l') return;
    if (action === 'removed') {
      this.chats.set(this.chats.get().filter((c) => c.room._id !== sub.rid));
      return;
    }
    const chat = this.chats.get().find((c) => c.room._id === sub.rid);
    if (chat) {
      if (this.subscriptionsApi && typeof sub.unread === 'number') this.setUnread(sub.rid, this.isOpen(sub.rid) ? 0 : sub.unread);
      return;
    }
    if (action === 'inserted') {
      this.waitingRooms.set(sub.rid, sub);
      // The room document follows on `rooms-changed`; fetch it if it does not.
      setTimeout(() => {
        if (this.waitingRooms.has(sub.rid)) void this.fetchRoom(sub.rid);
      }, 1500);
    }
  }

  private async fetchRoom(rid: string): Promise<void> {
    try {
      const res = await api.get<{ room: Room }>('rooms.info', { roomId: rid });
      this.onRoom(['updated', res.room]);
    } catch {
      await this.loadChats();
    }
  }

  private onRoom(args: unknown[]): void {
    const [action, room] = args as [string, Room | undefined];
    if (room?.t !== 'l') return;
    const list = this.chats.get();
    const existing = list.find((c) => c.room._id === room._id);
    const mine = action !== 'removed' && room.open === true && room.servedBy?._id === this.me._id;
    if (!mine) {
      if (existing) this.chats.set(list.filter((c) => c.room._id !== room._id));
      return;
    }
    if (existing) {
      const fromVisitor = isVisitorMessage(room.lastMessage) && room.lastMessage?._id !== existing.room.lastMessage?._id;
      const unread = fromVisitor && !this.isOpen(room._id) ? existing.unread + 1 : existing.unread;
      this.chats.set(list.map((c) => (c.room._id === room._id ? { room, unread } : c)).sort(byActivity));
      return;
    }
    this.waitingRooms.delete(room._id);
    const taken = this.taking.delete(room._id);
    const unread = taken || this.isOpen(room._id) ? 0 : Math.max(1, room.msgs > 0 ? 1 : 0);
    this.chats.set([...list, { room, unread }].sort(byActivity));
    if (!taken) {
      this.alert('New chat', `${room.fname} is waiting for you`, () => navigate({ area: 'chats', rid: room._id }));
    }
  }

  private isOpen(rid: string): boolean {
    const r = route.get();
    return r.area === 'chats' && r.rid === rid && document.visibilityState === 'visible';
  }

  setUnread(rid: string, n: number): void {
    const list = this.chats.get();
    if (!list.some((c) => c.room._id === rid && c.unread !== n)) return;
    this.chats.set(list.map((c) => (c.room._id === rid ? { ...c, unread: n } : c)));
  }

  /** The agent opened the chat: its messages are read (`subscriptions.read`). */
  markRead(rid: string): void {
    const chat = this.chats.get().find((c) => c.room._id === rid);
    if (!chat || chat.unread === 0) return;
    this.setUnread(rid, 0);
    if (this.subscriptionsApi) void api.post('subscriptions.read', { rid }).catch(() => undefined);
  }

  async take(inquiry: Inquiry): Promise<void> {
    this.taking.add(inquiry.rid);
    try {
      await api.post('livechat/inquiries.take', { inquiryId: inquiry._id });
    } catch (e) {
      this.taking.delete(inquiry.rid);
      throw e;
    }
    this.queue.set(this.queue.get().filter((i) => i._id !== inquiry._id));
    navigate({ area: 'chats', rid: inquiry.rid });
  }

  /** The chat left this agent (transferred, returned to the queue, closed). */
  forget(rid: string): void {
    this.chats.set(this.chats.get().filter((c) => c.room._id !== rid));
  }

  room(rid: string): Room | undefined {
    return this.chats.get().find((c) => c.room._id === rid)?.room;
  }

  departmentName(id: string | undefined): string | undefined {
    return id ? (this.departments.get().get(id) ?? undefined) : undefined;
  }
}

export function isVisitorMessage(m: Message | undefined): boolean {
  return !!m && !!m.token && !m.t;
}

export { alertLog };
