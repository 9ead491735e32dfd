import { Type } from '@sinclair/typebox';

/** A webhook subscription as admins see it (the secret only in the answer that creates it). */
export const Subscription = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
