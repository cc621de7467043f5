// The REST API (`/api/v1/...`) as Rocket.Chat's clients call it: `X-User-Id` and
// `X-Auth-Token` headers, JSON bodies, `{success: false, error}` on failure.

export interface Credentials {
  userId: string;
  authToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Rocket.Chat's error code (`errorType`, or `error` when it is a code). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

let credentials: Credentials | null = null;
let onUnauthorized: () => void = () => undefined;

export function setCredentials(c: Credentials | null): void {
  credentials = c;
}

export function onSessionExpired(f: () => void): void {
  onUnauthorized = f;
}

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) params.append(`${k}[]`, item);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (json) h['content-type'] = 'application/json';
  if (credentials) {
    h['x-user-id'] = credentials.userId;
    h['x-auth-token'] = credentials.authToken;
  }
  return h;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send<T>(method: string, path: string, init: { query?: Query; body?: BodyInit; json?: boolean }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url(path, init.query), {
      method,
      headers: headers(init.json ?? false),
      ...(init.body !== undefined && { body: init.body }),
      credentials: 'same-origin',
    });
    // Upstream's per-route limiter: wait for the window to reset, once.
    if (res.status === 429 && attempt === 0) {
      const reset = Number(res.headers.get('x-ratelimit-reset') ?? 0);
      await sleep(Math.min(Math.max(reset - Date.now(), 500), 60_000));
      continue;
    }
    let data: unknown = null;
    try {
      data = await res.json();
    } catch {
      // not JSON: handled below by the status
    }
    const body = (data ?? {}) as Record<string, unknown>;
    if (res.ok && body['success'] !== false && body['status'] !== 'error') return data as T;
    if (res.status === 401 && credentials) onUnauthorized();
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const code = text(body['errorType']) ?? text(body['error']) ?? String(res.status);
    const message = text(body['error']) ?? text(body['message']) ?? res.statusText;
    throw new ApiError(res.status, code, message);
  }
}

export const api = {
  get<T>(path: string, query?: Query): Promise<T> {
    return send<T>('GET', path, { ...(query && { query }) });
  },
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return send<T>('POST', path, { body: JSON.stringify(body), json: true });
  },
  put<T>(path: string, body: unknown = {}): Promise<T> {
    return send<T>('PUT', path, { body: JSON.stringify(body), json: true });
  },
  del<T>(path: string, body?: unknown): Promise<T> {
    return send<T>('DELETE', path, body === undefined ? {} : { body: JSON.stringify(body), json: true });
  },
  upload<T>(path: string, form: FormData): Promise<T> {
    return send<T>('POST', path, { body: form });
  },
};

/** A readable sentence for an error the user should see. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 404 && e.message.includes('endpoint not found')) return 'This server does not offer that yet.';
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The server does not have this endpoint (an older Ferrochat). */
export function isMissing(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.message.toLowerCase().includes('endpoint not found');
}
