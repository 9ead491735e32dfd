import type { FastifyInstance, InjectOptions } from 'fastify';

export type Reply = { status: number; body: any; headers: Record<string, unknown>; raw: string };

/** One request through Fastify's inject, with the JSON body parsed. */
export async function call(app: FastifyInstance, options: InjectOptions): Promise<Reply> {
  const res = await app.inject(options);
  let body: unknown = undefined;
  try {
    body = res.body.length > 0 ? JSON.parse(res.body) : undefined;
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, body, headers: res.headers, raw: res.body };
}
