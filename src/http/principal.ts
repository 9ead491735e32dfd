import fp from 'fastify-plugin';

/** Who is calling. Filled in by authentication; null for anonymous callers. */
export type Principal = Readonly<{ userId: string; roles: readonly string[] }>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission a route requires, or 'public'. Every route declares one. */
    permission?: string;
  }
}

export const principalPlugin = fp(
  async (app) => {
    app.decorateRequest('principal', null);
  },
  { name: 'principal' },
);
