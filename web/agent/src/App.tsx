// The app's frame: sign-in, then the signed-in shell (header with the areas, the
// availability switch, the connection banner, sign-out) around the current area.
import { useEffect, useState } from 'preact/hooks';
import { ConnectionBanner } from './components/Banner';
import { askNotificationPermission } from './lib/alerts';
import type { Ddp } from './lib/ddp';
import { api, ApiError, describe } from './lib/rest';
import { linkClick, useRoute, href } from './lib/router';
import type { Route } from './lib/router';
import { useStore } from './lib/store';
import type { Me } from './lib/types';
import { can, isAgent, session, signIn, signOut, updateMe } from './session';
import { LazyConsole } from './console/lazy';
import { Workspace } from './workspace/Workspace';
import { History } from './workspace/History';
import { WorkspaceData } from './workspace/data';

export function App() {
  const s = useStore(session);
  if (s.kind === 'loading') return <p class="loading">Loading…</p>;
  if (s.kind === 'signed-out') return <SignIn {...(s.error !== undefined && { error: s.error })} />;
  return <Shell me={s.me} ddp={s.ddp} />;
}

function SignIn({ error }: { error?: string }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(error ?? '');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage('');
    try {
      await signIn(user.trim(), password);
    } catch (err) {
      setMessage(err instanceof ApiError && err.status === 401 ? 'Wrong username, e-mail or password.' : describe(err));
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Ferrochat agent</h1>
        <label>
          Username or e-mail
          <input
            name="username"
            autoComplete="username"
            required
            value={user}
            onInput={(e) => setUser(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {message && (
          <p class="error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function NavLink({ to, current, label }: { to: Route; current: Route; label: string }) {
  const active = to.area === current.area;
  return (
    <a href={href(to)} aria-current={active ? 'page' : undefined} onClick={(e) => linkClick(e, to)}>
      {label}
    </a>
  );
}

function Shell({ me, ddp }: { me: Me; ddp: Ddp }) {
  const route = useRoute();
  const [data, setData] = useState<WorkspaceData | null>(null);
  useEffect(() => {
    const d = new WorkspaceData(me, ddp);
    d.start();
    setData(d);
    askNotificationPermission();
    return () => d.stop();
  }, [me._id, ddp]);
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Ferrochat</span>
        <nav aria-label="Areas">
          <NavLink to={{ area: 'chats' }} current={route} label="Chats" />
          <NavLink to={{ area: 'history' }} current={route} label="History" />
          {can(me, 'view-livechat-manager') && <NavLink to={{ area: 'manage' }} current={route} label="Manage" />}
        </nav>
        <Availability me={me} />
        <span class="who" title={me.username}>
          {me.name ?? me.username}
        </span>
        <button type="button" class="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <ConnectionBanner ddp={ddp} />
      {route.area === 'manage' ? (
        <LazyConsole me={me} {...(route.section !== undefined && { section: route.section })} />
      ) : (
        data &&
        (route.area === 'history' ? (
          <History data={data} {...(route.rid !== undefined && { rid: route.rid })} />
        ) : (
          <Workspace data={data} {...(route.rid !== undefined && { rid: route.rid })} />
        ))
      )}
    </div>
  );
}

/** One switch: `livechat/agent.status` available / not-available. */
function Availability({ me }: { me: Me }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!isAgent(me)) {
    if (!can(me, 'view-livechat-manager')) return null;
    // A manager or admin who is not an agent yet becomes one here (no curl needed).
    const become = async () => {
      setBusy(true);
      try {
        await api.post('livechat/users/agent', { username: me.username });
        const fresh = await api.get<Me>('me');
        updateMe(() => fresh);
      } catch (e) {
        setError(describe(e));
      } finally {
        setBusy(false);
      }
    };
    return (
      <span class="availability">
        <button type="button" disabled={busy} onClick={() => void become()}>
          Answer chats as an agent
        </button>
        {error && <span class="error">{error}</span>}
      </span>
    );
  }
  const on = me.statusLivechat === 'available';
  const toggle = async () => {
    setBusy(true);
    setError('');
    try {
      const res = await api.post<{ status: 'available' | 'not-available' }>('livechat/agent.status', {
        status: on ? 'not-available' : 'available',
      });
      updateMe((m) => ({ ...m, statusLivechat: res.status }));
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="availability">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        class={on ? 'switch on' : 'switch'}
        disabled={busy}
        onClick={() => void toggle()}
      >
        <span class="knob" aria-hidden="true" />
        Available
      </button>
      {error && <span class="error">{error}</span>}
    </span>
  );
}
