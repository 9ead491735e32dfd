/** The signed-in user of this tab: tokens kept in sessionStorage, so closing the tab signs out. */
export type Session = Readonly<{ accessToken: string; refreshToken: string; userId: string; roles: readonly string[] }>;

const KEY = 'ktv.session';
const listeners = new Set<() => void>();

export function session(): Session | null {
  const text = sessionStorage.getItem(KEY);
  return text ? (JSON.parse(text) as Session) : null;
}

function store(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
}

/** Calls `fn` whenever the user signs in or out. */
export function onSessionChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

type LoginReply = { accessToken: string; refreshToken: string; user: { id: string; roles: string[] } };

/** A random id; crypto.randomUUID() exists only on https or localhost, and a venue's LAN page is plain http. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Each tab is its own device, so signing in on a second screen does not end the first one's session. */
function deviceId(): string {
  let id = sessionStorage.getItem('ktv.device');
  if (!id) sessionStorage.setItem('ktv.device', (id = `page-${randomId()}`));
  return id;
}

/** Signs in; an account without one of `roles` is refused (`not_allowed`) and stays signed out. */
export async function signIn(email: string, password: string, roles: readonly string[]): Promise<Session> {
  const res = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, deviceId: deviceId() }),
  });
  if (!res.ok) throw new Error(String(res.status));
  const body = (await res.json()) as LoginReply;
  if (!body.user.roles.some((r) => roles.includes(r))) throw new Error('not_allowed');
  const s = { accessToken: body.accessToken, refreshToken: body.refreshToken, userId: body.user.id, roles: body.user.roles };
  store(s);
  return s;
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for a new pair; concurrent callers share one exchange. */
export function refreshed(): Promise<boolean> {
  refreshing ??= (async () => {
    const s = session();
    if (!s) return false;
    const res = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as LoginReply;
    store({ ...s, accessToken: body.accessToken, refreshToken: body.refreshToken });
    return true;
  })().finally(() => (refreshing = null));
  return refreshing;
}

export function signOut(): void {
  store(null);
}
