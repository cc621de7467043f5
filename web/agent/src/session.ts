// Signing in and out: `POST login` (username or e-mail and password), the resume token kept
// in localStorage under Meteor's keys so a reload stays signed in, `GET me` to check it, and
// the DDP connection logged in with the same token (the agent is online while it is open).
import { Ddp } from './lib/ddp';
import { api, ApiError, onSessionExpired, setCredentials } from './lib/rest';
import { Store } from './lib/store';
import type { Me } from './lib/types';

const TOKEN = 'Meteor.loginToken';
const USER = 'Meteor.userId';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; error?: string }
  | { kind: 'signed-in'; me: Me; ddp: Ddp };

export const session = new Store<SessionState>({ kind: 'loading' });

function socketUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/websocket`;
}

function stored(): { userId: string; authToken: string } | null {
  const userId = localStorage.getItem(USER);
  const authToken = localStorage.getItem(TOKEN);
  return userId && authToken ? { userId, authToken } : null;
}

// Files (`/file-upload/...`, images in messages) are fetched by the browser itself, without
// the REST headers: like upstream's client, the workspace puts the user id and token in
// `rc_uid`/`rc_token` cookies, scoped to the files' path.
function fileCookies(creds: { userId: string; authToken: string } | null): void {
  const attrs = `; path=/file-upload; SameSite=Strict${location.protocol === 'https:' ? '; Secure' : ''}`;
  if (creds) {
    document.cookie = `rc_uid=${encodeURIComponent(creds.userId)}${attrs}`;
    document.cookie = `rc_token=${encodeURIComponent(creds.authToken)}${attrs}`;
  } else {
    document.cookie = `rc_uid=${attrs}; max-age=0`;
    document.cookie = `rc_token=${attrs}; max-age=0`;
  }
}

function forget(error?: string): void {
  const s = session.get();
  if (s.kind === 'signed-in') s.ddp.stop();
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(USER);
  setCredentials(null);
  fileCookies(null);
  session.set(error ? { kind: 'signed-out', error } : { kind: 'signed-out' });
}

/** Which roles hold each permission, as the server has them (`permissions.listAll`). */
let grants: Record<string, string[]> = {};

async function loadPermissions(): Promise<void> {
  const res = await api.get<{ update: { _id: string; roles: string[] }[] }>('permissions.listAll');
  grants = Object.fromEntries(res.update.map((p) => [p._id, p.roles]));
}

async function start(me: Me): Promise<void> {
  await loadPermissions();
  const ddp = new Ddp(socketUrl(), () => localStorage.getItem(TOKEN));
  ddp.onLoginFailed(() => forget('Your session has ended. Please sign in again.'));
  ddp.start();
  session.set({ kind: 'signed-in', me, ddp });
}

onSessionExpired(() => forget('Your session has ended. Please sign in again.'));

/** On page load: resume the stored session, if any. */
export async function restore(): Promise<void> {
  const creds = stored();
  if (!creds) {
    session.set({ kind: 'signed-out' });
    return;
  }
  setCredentials(creds);
  fileCookies(creds);
  for (;;) {
    try {
      const me = await api.get<Me>('me');
      await start(me);
      return;
    } catch (e) {
      if (e instanceof ApiError) {
        forget();
        return;
      }
      // The server is not reachable (restarting): keep the session and try again.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface LoginResult {
  status: string;
  data: { userId: string; authToken: string; me: Me };
}

export async function signIn(user: string, password: string): Promise<void> {
  const res = await api.post<LoginResult>('login', { user, password });
  localStorage.setItem(TOKEN, res.data.authToken);
  localStorage.setItem(USER, res.data.userId);
  setCredentials({ userId: res.data.userId, authToken: res.data.authToken });
  fileCookies({ userId: res.data.userId, authToken: res.data.authToken });
  await start(res.data.me);
}

export async function signOut(): Promise<void> {
  try {
    await api.post('logout');
  } catch {
    // signed out locally whatever the server says
  }
  forget();
}

export function updateMe(f: (me: Me) => Me): void {
  const s = session.get();
  if (s.kind === 'signed-in') session.set({ ...s, me: f(s.me) });
}

/** Does one of my roles hold the permission? Decides what to offer; the server decides what is allowed. */
export function can(me: Me, permission: string): boolean {
  const roles = grants[permission] ?? [];
  return me.roles.some((r) => roles.includes(r));
}

export function isAgent(me: Me): boolean {
  return me.roles.includes('livechat-agent');
}
