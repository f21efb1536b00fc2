// pgtrail's programmatic API (package export "."): the package ships it compiled to dist/, with
// declarations, so plain node and any migration runner can import it.
export { enableAudit, disableAudit, type MigrationBuilderLike } from './audit/migration-helpers.ts';
export { withAuditContext, setAuditContext, type AuditContext, type ActorType } from './audit/context.ts';
export { migrate, MIGRATIONS_TABLE, type MigrateOptions } from './install/migrate.ts';
export { uninstall, type UninstallOptions, type UninstallReport, type UninstallPlan, type UninstallDone } from './install/uninstall.ts';
export { auditStatus, type TableStatus, type TableState } from './audit/status.ts';
export type { AuditOptions, Action } from './generator/spec.ts';
export { UserError } from './db/errors.ts';
export { runMaintenance, type MaintenanceStep } from './maintenance/run.ts';
export { startMaintenanceTimer } from './maintenance/timer.ts';
export { scheduleMaintenance, unscheduleMaintenance } from './maintenance/schedule.ts';
export { readPolicy, setRetention, setPartitioning, parseRetention } from './maintenance/retention.ts';
