import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { signUp, signIn, type SignedIn } from '../helpers/auth.js';
import { ROLES, ROLE_PERMISSIONS, type Role } from '../../src/auth/permissions.js';

const { app, platform } = await startTestService(t);

t.test('every route declares its access, and a route without one stops start-up', async (t) => {
  const routes = app.routeAccess.filter((r) => r.method !== 'HEAD');
  t.ok(routes.length > 15, `${routes.length} routes`);
  for (const r of routes) t.ok(r.permission, `${r.method} ${r.url}: ${r.permission}`);

  const { buildApp } = await import('../../src/app.js');
  const bad = async (a: typeof app) => void a.get('/undeclared', async () => 'x');
  await t.rejects(buildApp(platform, bad), /GET \/undeclared declares no valid permission/);
});

t.test('route × role matrix from the permission table: 401 without a token, 403 without the permission, through otherwise', async (t) => {
  const users = new Map<Role, SignedIn>();
  for (const role of ROLES) users.set(role, await signUp(app, platform.store, role, `matrix-${role}`));
  const routes = app.routeAccess.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));
  for (const route of routes) {
    const url = route.url.replace(/:(\w+)/g, () => randomUUID());
    const method = route.method as 'GET' | 'POST' | 'PATCH' | 'DELETE';
    const payload = method === 'GET' || method === 'DELETE' ? undefined : {};
    const anonymous = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    if (route.permission === 'public') {
      t.not(anonymous.statusCode, 401, `${method} ${route.url} is public`);
      t.not(anonymous.statusCode, 403, `${method} ${route.url} is public`);
    } else {
      t.equal(anonymous.statusCode, 401, `${method} ${route.url} without a token`);
    }
    for (const role of ROLES) {
      const user = users.get(role)!;
      const res = await app.inject({ method, url, headers: user.auth, ...(payload ? { payload } : {}) });
      const allowed = route.permission === 'public' || route.permission === 'authenticated' || ROLE_PERMISSIONS[role].has(route.permission);
      if (allowed) {
        t.ok(res.statusCode !== 401 && res.statusCode !== 403, `${role} ${method} ${route.url} → ${res.statusCode}`);
        t.ok(res.statusCode < 500, `${role} ${method} ${route.url} is not a server error (${res.statusCode})`);
      } else {
        t.equal(res.statusCode, 403, `${role} ${method} ${route.url} → 403`);
        t.equal(res.json().code, 'forbidden');
      }
      // Routes that end the session used above need a fresh sign-in for the rest of the matrix.
      if (allowed && /logout|\/auth\/sessions\/:id/.test(route.url))
        users.set(role, await signIn(app, user.email, user.userId, `matrix-${role}`));
    }
  }
});
