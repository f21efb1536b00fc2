// Context variables of console routes: the shared AppEnv plus the session's CSRF token.
import type { AppEnv } from '../auth/principal.ts';

export interface ConsoleEnv {
  Variables: AppEnv['Variables'] & {
    csrfToken: string;
  };
}
