// A small DDP client for Rocket.Chat's realtime API over a plain WebSocket (`/websocket`):
// method calls, stream subscriptions (`stream-*` collections whose `changed` frames carry
// `{eventName, args}`), login with the resume token, and reconnection by itself with the
// subscriptions re-established. Listeners of `onReconnect` reload what they show, since
// events sent while the socket was down are gone.

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

type Handler = (args: unknown[]) => void;

interface Sub {
  id: string;
  name: string;
  event: string;
  handler: Handler;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class DdpError extends Error {
  constructor(
    readonly error: unknown,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** EJSON dates (`{$date: ms}`) become ISO strings, as REST sends them. */
export function fromEjson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromEjson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$date' && typeof o['$date'] === 'number') {
      return new Date(o['$date']).toISOString();
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = fromEjson(o[k]);
    return out;
  }
  return v;
}

const PING_EVERY = 20_000;
const PONG_WITHIN = 10_000;

export class Ddp {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<string, Pending>();
  private subs = new Map<string, Sub>();
  private stateListeners = new Set<(s: ConnectionState) => void>();
  private reconnectListeners = new Set<() => void>();
  private loginFailedListeners = new Set<() => void>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private everConnected = false;
  private stopped = false;
  state: ConnectionState = 'connecting';

  constructor(
    private readonly url: string,
    private readonly resumeToken: () => string | null,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    this.ws?.close();
    this.ws = null;
    this.setState('closed');
  }

  onState(f: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(f);
    return () => this.stateListeners.delete(f);
  }

  /** Called after every reconnection (not the first connection), once logged in again. */
  onReconnect(f: () => void): () => void {
    this.reconnectListeners.add(f);
    return () => this.reconnectListeners.delete(f);
  }

  /** The server refused the resume token: the session is over. */
  onLoginFailed(f: () => void): () => void {
    this.loginFailedListeners.add(f);
    return () => this.loginFailedListeners.delete(f);
  }

  call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      if (this.state !== 'connected' || !this.ws) {
        reject(new Error('Not connected'));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ msg: 'method', id, method, params });
    });
  }

  /** Listens to `stream-<name>` events named `event`; returns the way to stop. */
  subscribe(name: string, event: string, handler: Handler): () => void {
    const id = `s${this.nextId++}`;
    const sub = { id, name, event, handler };
    this.subs.set(id, sub);
    if (this.state === 'connected') this.sendSub(sub);
    return () => {
      this.subs.delete(id);
      if (this.state === 'connected') this.send({ msg: 'unsub', id });
    };
  }

  private sendSub(s: Sub): void {
    this.send({ msg: 'sub', id: s.id, name: `stream-${s.name}`, params: [s.event, { useCollection: false, args: [] }] });
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    for (const f of this.stateListeners) f(s);
  }

  private send(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
    };
    ws.onmessage = (e: MessageEvent<string>) => {
      this.lastHeard = Date.now();
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(e.data) as Record<string, unknown>;
      } catch {
        return;
      }
      this.receive(m, ws);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.lost();
    };
    ws.onerror = () => {
      ws.close();
    };
  }

  private lost(): void {
    this.ws = null;
    clearInterval(this.pingTimer);
    for (const p of this.pending.values()) p.reject(new Error('Connection lost'));
    this.pending.clear();
    if (this.stopped) return;
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    // 0.5 s, 1 s, 2 s, then every 3 s, with jitter so a restarted server is not stampeded.
    const delay = Math.min(500 * 2 ** this.attempts, 3000) * (0.8 + Math.random() * 0.4);
    this.attempts++;
    this.timer = setTimeout(() => this.open(), delay);
  }

  private receive(m: Record<string, unknown>, ws: WebSocket): void {
    switch (m['msg']) {
      case 'connected':
        void this.afterConnect(ws);
        break;
      case 'ping':
        this.send(m['id'] === undefined ? { msg: 'pong' } : { msg: 'pong', id: m['id'] });
        break;
      case 'result': {
        const id = String(m['id']);
        const p = this.pending.get(id);
        if (!p) break;
        this.pending.delete(id);
        const err = m['error'] as { error?: unknown; reason?: string; message?: string } | undefined;
        if (err) p.reject(new DdpError(err.error, err.reason ?? err.message ?? 'Error'));
        else p.resolve(fromEjson(m['result']));
        break;
      }
      case 'changed': {
        const fields = m['fields'] as { eventName?: string; args?: unknown[] } | undefined;
        const collection = typeof m['collection'] === 'string' ? m['collection'] : '';
        if (!fields?.eventName) break;
        const args = fromEjson(fields.args ?? []) as unknown[];
        for (const s of this.subs.values()) {
          if (`stream-${s.name}` === collection && s.event === fields.eventName) s.handler(args);
        }
        break;
      }
      default:
        break;
    }
  }

  private async afterConnect(ws: WebSocket): Promise<void> {
    const token = this.resumeToken();
    // Method calls need the state; the socket is not shown as connected until logged in.
    this.state = 'connected';
    try {
      if (token) await this.call('login', { resume: token });
    } catch (e) {
      if (e instanceof DdpError) {
        this.stop();
        for (const f of this.loginFailedListeners) f();
        return;
      }
      ws.close();
      return;
    }
    this.state = 'connecting';
    for (const s of this.subs.values()) this.sendSub(s);
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.attempts = 0;
    this.setState('connected');
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      // A socket silent past our ping is dead even if the OS has not noticed yet.
      if (Date.now() - this.lastHeard > PING_EVERY + PONG_WITHIN) {
        ws.close();
        this.lost();
        return;
      }
      this.send({ msg: 'ping', id: `p${this.nextId++}` });
    }, PING_EVERY);
    if (reconnected) for (const f of this.reconnectListeners) f();
  }
}
