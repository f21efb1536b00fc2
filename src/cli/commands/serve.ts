import { startConsole } from '../../server/serve.ts';
import { UserError } from '../../db/errors.ts';
import type { Command } from '../command.ts';
import { requireDatabaseUrl } from '../database.ts';
import { noArguments } from '../options.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the web console (filters, event detail with diffs, record history, sign-in log)',
  usage: 'serve [--port N] [--host ADDR]',
  details: [
    'Serves the console for DATABASE_URL until interrupted. Its connections run as the role',
    'pgtrail_console (read the audit schema, write only the console tables), so the login in',
    'DATABASE_URL must be able to SET ROLE to it (`pgtrail migrate` grants it to the installing role).',
    'Without a pg_cron job for this database it also runs partition maintenance on a timer',
    '(PGTRAIL_MAINTENANCE_MINUTES, default 60). Create the first user with `pgtrail user add`.',
    'Environment: PORT, HOST, PGTRAIL_SESSION_HOURS, PGTRAIL_SESSION_IDLE_MINUTES,',
    'PGTRAIL_TRUST_PROXY (behind a reverse proxy), PGTRAIL_SECURE_COOKIES, and PGTRAIL_TOTP_KEY or',
    'PGTRAIL_TOTP_KEY_FILE (the key that encrypts two-factor secrets; default: totp.key beside the',
    'data folder, made on first start — keep it, and back it up, apart from the database).',
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p', value: 'N', description: 'port to listen on (default PORT or 3000; 0 = any free port)' },
    host: { type: 'string', value: 'ADDR', description: 'address to listen on (default HOST or 127.0.0.1)' },
  },
  async run({ config, positionals, values, stdout, stderr }) {
    noArguments(positionals, 'serve');
    const rawPort = values.port === undefined ? config.PORT : String(values.port);
    const port = Number(rawPort);
    if (!/^\d{1,5}$/.test(String(rawPort)) || port > 65535) throw new UserError(`--port: "${rawPort}" is not a port (1-65535, or 0 for any free port)`);
    const host = typeof values.host === 'string' ? values.host : config.HOST;
    const running = await startConsole({ databaseUrl: requireDatabaseUrl(config), port, host, config, log: (line) => stderr(`${line}\n`) });
    stdout(`pgtrail console on ${running.url} (maintenance: ${running.maintenance === 'timer' ? 'timer in this process' : 'pg_cron job'})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
    return 0;
  },
};
