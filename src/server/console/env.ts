// Context variables of console routes: the shared AppEnv plus the session's CSRF token, its id
// (to mark "this session" in lists) and its gate, if the user must do something first.
import type { SessionGate } from '../../accounts/sessions.ts';
import type { AppEnv } from '../env.ts';

export interface ConsoleEnv {
  Variables: AppEnv['Variables'] & {
    csrfToken: string;
    sessionId: string;
    gate?: SessionGate;
  };
}
