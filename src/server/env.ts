// Hono context variables shared by console and API routes.
import type { Principal } from '../accounts/roles.ts';

export interface AppEnv {
  Variables: {
    principal?: Principal;
    requestId: string;
  };
}
