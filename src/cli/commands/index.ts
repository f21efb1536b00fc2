// Every `pgtrail` command, in the order `pgtrail --help` lists them. One line per command.
import type { Command } from '../command.ts';
import { disableCommand } from './disable.ts';
import { enableCommand } from './enable.ts';
import { exportCommand } from './export.ts';
import { generateCommand } from './generate.ts';
import { maintainCommand } from './maintain.ts';
import { migrateCommand } from './migrate.ts';
import { retentionCommand } from './retention.ts';
import { revertCommand } from './revert.ts';
import { scheduleCommand } from './schedule.ts';
import { searchIndexCommand } from './search-index.ts';
import { sealCommand } from './seal.ts';
import { sealKeyCommand } from './seal-key.ts';
import { verifyCommand } from './verify.ts';
import { verifyExportCommand } from './verify-export.ts';
import { serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';
import { userCommand } from './user.ts';
import { tokenCommand } from './token.ts';
import { uninstallCommand } from './uninstall.ts';

export const commands: Command[] = [
  migrateCommand,
  uninstallCommand,
  enableCommand,
  disableCommand,
  statusCommand,
  generateCommand,
  retentionCommand,
  maintainCommand,
  scheduleCommand,
  searchIndexCommand,
  sealKeyCommand,
  sealCommand,
  verifyCommand,
  verifyExportCommand,
  exportCommand,
  revertCommand,
  tokenCommand,
  serveCommand,
  userCommand,
];
