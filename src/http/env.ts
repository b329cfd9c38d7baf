import type { Actor } from '../auth/api-keys.js';

export interface AppEnv {
  Variables: {
    actor: Actor;
    requestId: string;
  };
}
