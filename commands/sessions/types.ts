import type { UserState } from '../../src/auth/current-user.js';

export type CurrentUserState = Extract<UserState, { status: 'registered' }>;
