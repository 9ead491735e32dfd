import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/**
 * The web pages, built into `webDir` by `npm run build:web` (web/build.ts):
 * each page's HTML at its own path, its bundle and styles under /web/. They
 * are public files; the pages sign in and call the API like any client.
 */
export const webPages: FastifyPluginAsyncTypebox<{ webDir: string }> = async (app, { webDir }) => {
  await app.register(fastifyStatic, { root: path.resolve(webDir), serve: false });

  app.get(
    '/',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['pages'],
        summary:
          "The guest's page: search, prices, hold, pay the deposit, the booking, the waitlist and the queue (zh-CN, English on the page)",
        response: { 200: Type.String({ description: 'text/html' }) },
        produces: ['text/html'],
      },
    },
    (_request, reply) => {
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('guest.html');
    },
  );

  app.get(
    '/staff',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['pages'],
        summary: 'The staff page: sign in, the live room board and the desk actions (zh-CN, English on the page)',
        response: { 200: Type.String({ description: 'text/html' }) },
        produces: ['text/html'],
      },
    },
    (_request, reply) => {
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('staff.html');
    },
  );

  app.get(
    '/manager',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['pages'],
        summary:
          "The manager's page: the owner's reports (headline figures, occupancy heat map by room and hour, revenue by day and category; zh-CN, English on the page)",
        response: { 200: Type.String({ description: 'text/html' }) },
        produces: ['text/html'],
      },
    },
    (_request, reply) => {
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('manager.html');
    },
  );

  app.get(
    '/web/:file',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]+\\.(js|css|js\\.map)$', maxLength: 64 }) }) },
    },
    (request, reply) => {
      void reply.header('cache-control', 'no-cache').sendFile(request.params.file);
    },
  );
};
