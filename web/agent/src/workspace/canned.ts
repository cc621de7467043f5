// Canned responses as upstream's client keeps them: every response the agent may use
// (`canned-responses.get`), loaded once and patched by `stream-canned-responses`
// (`{type: "changed", ...response}` / `{type: "removed", _id}`; a second argument with
// `agentsId` names the only agents it concerns). Reloaded after a reconnection, since
// events sent while the socket was down are gone.
import type { Ddp } from '../lib/ddp';
import { api } from '../lib/rest';
import { Store } from '../lib/store';
import type { CannedResponse } from '../lib/types';

export class CannedResponses {
  readonly list = new Store<CannedResponse[]>([]);
  /** The public setting `Canned_Responses_Enable` (upstream's gate for the popup). */
  readonly enabled = new Store<boolean>(false);
  private stops: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly ddp: Ddp,
    private readonly uid: string,
  ) {}

  start(): void {
    void this.begin();
  }

  private async begin(): Promise<void> {
    try {
      const res = await api.get<{ settings: { _id: string; value: unknown }[] }>('settings.public', {
        _id: 'Canned_Responses_Enable',
      });
      if (res.settings.find((x) => x._id === 'Canned_Responses_Enable')?.value === false) return;
    } catch {
      // upstream's default: on
    }
    if (this.stopped) return;
    this.enabled.set(true);
    this.stops.push(
      this.ddp.subscribe('canned-responses', 'canned-responses', (a) => this.onEvent(a)),
      this.ddp.onReconnect(() => void this.load()),
    );
    await this.load();
  }

  stop(): void {
    this.stopped = true;
    for (const f of this.stops) f();
    this.stops = [];
  }

  async load(): Promise<void> {
    try {
      const res = await api.get<{ responses: CannedResponse[] }>('canned-responses.get');
      this.list.set(sorted(res.responses));
    } catch {
      // kept as it was: the composer works without suggestions
    }
  }

  private onEvent(args: unknown[]): void {
    const ev = args[0] as (Partial<CannedResponse> & { type?: string }) | undefined;
    const extra = args[1] as { agentsId?: string[] } | undefined;
    if (!ev?._id) return;
    if (extra?.agentsId && !extra.agentsId.includes(this.uid)) return;
    const rest = this.list.get().filter((r) => r._id !== ev._id);
    if (ev.type === 'removed') {
      this.list.set(rest);
      return;
    }
    if (ev.type === 'changed' && ev.shortcut !== undefined && ev.text !== undefined) {
      const doc = { ...ev } as CannedResponse & { type?: string };
      delete doc.type;
      this.list.set(sorted([...rest, doc]));
    }
  }

  /** What the composer offers in a room: global, the room's department, the agent's own. */
  forRoom(departmentId: string | undefined): CannedResponse[] {
    return this.list
      .get()
      .filter(
        (r) =>
          r.scope === 'global' ||
          (r.scope === 'department' && !!departmentId && r.departmentId === departmentId) ||
          (r.scope === 'user' && r.userId === this.uid),
      );
  }

  /** The agent's personal responses (scope `user`). */
  mine(): CannedResponse[] {
    return this.list.get().filter((r) => r.scope === 'user' && r.userId === this.uid);
  }

  /** Creates (no `_id`) or updates a personal response; the stream brings it back too. */
  async saveMine(r: { _id?: string; shortcut: string; text: string }): Promise<void> {
    await api.post('canned-responses', { ...(r._id && { _id: r._id }), shortcut: r.shortcut, text: r.text, scope: 'user' });
    await this.load();
  }

  async remove(id: string): Promise<void> {
    await api.del('canned-responses', { _id: id });
    this.list.set(this.list.get().filter((r) => r._id !== id));
  }
}

const sorted = (l: CannedResponse[]) => [...l].sort((a, b) => a.shortcut.localeCompare(b.shortcut));

/**
 * Upstream's popup: `!` anywhere (at the start or after a space) up to the caret, the
 * shortcuts matching what follows it (case-insensitive), those starting with it first,
 * at most 11.
 */
export function cannedQuery(text: string, caret: number): { start: number; prefix: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)!([^\s!]*)$/.exec(before);
  if (!m) return null;
  const prefix = m[2] ?? '';
  return { start: caret - prefix.length - 1, prefix };
}

export function matching(all: CannedResponse[], prefix: string): CannedResponse[] {
  const p = prefix.toLowerCase();
  const hits = all.filter((r) => r.shortcut.toLowerCase().includes(p));
  const starts = hits.filter((r) => r.shortcut.toLowerCase().startsWith(p));
  const others = hits.filter((r) => !r.shortcut.toLowerCase().startsWith(p));
  return [...starts, ...others].slice(0, 11);
}
