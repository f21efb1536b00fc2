// Context variables of console routes: the shared AppEnv plus the session's CSRF token, its id
// (to mark "this session" in lists) and its gate, if the user must do something first.
import type { SessionGate } from '../../console/sessions.ts';
import type { AppEnv } from '../auth/principal.ts';

export interface ConsoleEnv {
  Variables: AppEnv['Variables'] & {
    csrfToken: string;
    sessionId: string;
    gate?: SessionGate;
  };
}
