import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { allows, isRouteAccess, type RouteAccess } from '../auth/permissions.js';
import type { AccessTokens } from '../auth/tokens.js';
import type { RevocationList } from '../auth/revocation.js';
import type { CurrentUsers } from '../auth/current-user.js';
import type { MembershipLevel } from '../events/users.js';

/** Who is calling: the user, their session and device, and their roles as of this request. */
export type Principal = Readonly<{
  userId: string;
  sessionId: string;
  deviceId: string;
  roles: readonly string[];
  membershipLevel: MembershipLevel;
}>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route with the access it declares, for the route-table tests and documentation. */
    routeAccess: ReadonlyArray<Readonly<{ method: string; url: string; permission: RouteAccess }>>;
  }
  interface FastifyContextConfig {
    /** What a route requires: a permission, `authenticated`, or `public`. Every route declares one. */
    permission?: RouteAccess;
  }
}

/** The principal of a route that requires sign-in; such routes never run without one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError('unauthenticated', 'Sign in first.');
  return request.principal;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * Authentication and role checks for every route. A route without a declared
 * permission stops start-up (the OpenAPI UI's asset routes are public). Roles
 * come from the user's stream as of this request (see CurrentUsers), so grants
 * and revocations apply at once; revoked or evicted sessions fail even with an
 * unexpired token, and so does a token whose session was never started or has
 * ended on its user's sessions stream (read once per session, see OpenSessions).
 */
export const accessPlugin = fp<{ users: CurrentUsers; tokens: AccessTokens; revocation: RevocationList }>(
  async (app, { users, tokens, revocation }) => {
    app.decorateRequest('principal', null);
    const table: { method: string; url: string; permission: RouteAccess }[] = [];
    app.decorate('routeAccess', table);

    app.addHook('onRoute', (route) => {
      let declared = route.config?.permission;
      if (declared === undefined && route.url.startsWith('/docs')) {
        declared = 'public';
        route.config = { ...route.config, permission: declared };
      }
      if (!isRouteAccess(declared)) throw new Error(`route ${String(route.method)} ${route.url} declares no valid permission`);
      for (const method of [route.method].flat()) table.push({ method, url: route.url, permission: declared });
    });

    app.addHook('onRequest', async (request) => {
      // Unmatched URLs have no route config: they answer 404, not 401.
      const access: RouteAccess = request.routeOptions.config?.permission ?? 'public';
      const header = request.headers.authorization;
      if (header === undefined) {
        if (access === 'public') return;
        throw new UnauthorizedError('unauthenticated', 'This route needs an access token: Authorization: Bearer <token>.');
      }
      const match = BEARER.exec(header);
      if (!match?.[1]) throw new UnauthorizedError('invalid_token', 'The Authorization header must be "Bearer <token>".');
      const claims = tokens.check(match[1]);
      const [revoked, user, session] = await Promise.all([
        revocation.reasonFor(claims.sid),
        users.get(claims.sub),
        users.sessions.standing(claims.sub, claims.sid),
      ]);
      // Read from the account's stream, so it holds even if ending its sessions did not finish.
      if (user?.disabled) throw new UnauthorizedError('account_disabled', 'This account has been disabled; ask an admin.');
      if (revoked === 'evicted') throw new UnauthorizedError('session_evicted', 'This session was ended by a sign-in on another device.');
      if (revoked || session === 'ended') throw new UnauthorizedError('session_revoked', 'This session has ended; sign in again.');
      // Signed by our key yet naming no session of this user: never issued by a sign-in, so never honoured.
      if (!user || session === 'unknown') throw new UnauthorizedError('invalid_token', 'The access token is not valid.');
      request.principal = {
        userId: user.id,
        sessionId: claims.sid,
        deviceId: claims.device_id,
        roles: user.roles,
        membershipLevel: user.membershipLevel,
      };
      if (access !== 'public' && access !== 'authenticated' && !allows(user.roles, access)) throw new ForbiddenError();
    });
  },
  { name: 'access' },
);
