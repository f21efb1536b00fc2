// Hand-written table specs for the pure renderer's tests (no database needed).
import { normalizeOptions, type TableSpec } from '../../src/generator/spec.ts';

export const contactsSpec: TableSpec = {
  schema: 'public',
  table: 'contacts',
  columns: [
    { name: 'id', typedEquality: true, bytea: false },
    { name: 'email', typedEquality: true, bytea: false },
    { name: 'password_hash', typedEquality: true, bytea: false },
    { name: 'api_secret', typedEquality: true, bytea: false },
    { name: 'profile', typedEquality: false, bytea: false },
    { name: 'avatar', typedEquality: true, bytea: true },
    { name: 'updated_at', typedEquality: true, bytea: false },
  ],
  keyColumns: ['id'],
  partitions: [],
  toastIdentity: false,
  settings: ['TimeZone', 'DateStyle', 'bytea_output'],
  options: normalizeOptions({ exclude: ['password_hash'], redact: ['api_secret'], ignore: ['updated_at'] }),
};
