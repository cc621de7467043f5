// The app's routes live under `/agent` (the server answers every such path with the app):
// `/agent` the lists, `/agent/chat/<rid>` a conversation, `/agent/history[/<rid>]`. Areas
// added later (a manager console) register their own prefixes here.
import { Store, useStore } from './store';

export const BASE = '/agent';

export type Route =
  | { area: 'chats'; rid?: string }
  | { area: 'history'; rid?: string }
  | { area: 'manage'; section?: string };

export function parse(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'chat':
      return parts[1] ? { area: 'chats', rid: parts[1] } : { area: 'chats' };
    case 'history':
      return parts[1] ? { area: 'history', rid: parts[1] } : { area: 'history' };
    case 'manage':
      return parts[1] ? { area: 'manage', section: parts[1] } : { area: 'manage' };
    default:
      return { area: 'chats' };
  }
}

export function href(r: Route): string {
  switch (r.area) {
    case 'chats':
      return r.rid ? `${BASE}/chat/${encodeURIComponent(r.rid)}` : `${BASE}/`;
    case 'history':
      return r.rid ? `${BASE}/history/${encodeURIComponent(r.rid)}` : `${BASE}/history`;
    case 'manage':
      return r.section ? `${BASE}/manage/${encodeURIComponent(r.section)}` : `${BASE}/manage`;
  }
}

export const route = new Store<Route>(parse(location.pathname));

export function navigate(r: Route, replace = false): void {
  const url = href(r);
  if (url !== location.pathname) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }
  route.set(parse(url));
}

addEventListener('popstate', () => route.set(parse(location.pathname)));

export function useRoute(): Route {
  return useStore(route);
}

/** Same-origin link clicks go through the router instead of reloading the page. */
export function linkClick(e: MouseEvent, r: Route): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(r);
}
