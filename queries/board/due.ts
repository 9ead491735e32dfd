import type { Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';

/** Whether the clock alone changes some room on the board by `at` (what the floor clock asks each minute). */
export const boardDueBy =
  (db: Kysely<ReadModels>) =>
  async (at: Date): Promise<boolean> =>
    (await db.selectFrom('board_rooms').select('room_id').where('next_change_at', '<=', at).limit(1).executeTakeFirst()) !== undefined;
