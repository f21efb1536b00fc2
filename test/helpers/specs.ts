// Hand-written table specs for the pure renderer's tests (no database needed).
import { normalizeOptions, type TableSpec } from '../../src/generator/spec.ts';

export const contactsSpec: TableSpec = {
  schema: 'public',
  table: 'contacts',
  columns: [
    { name: 'id', typedEquality: true, bytea: false, varlena: false },
    { name: 'email', typedEquality: true, bytea: false, varlena: true },
    { name: 'password_hash', typedEquality: true, bytea: false, varlena: true },
    { name: 'api_secret', typedEquality: true, bytea: false, varlena: true },
    { name: 'profile', typedEquality: false, bytea: false, varlena: true },
    { name: 'avatar', typedEquality: true, bytea: true, varlena: true },
    { name: 'updated_at', typedEquality: true, bytea: false, varlena: false },
  ],
  keyColumns: ['id'],
  partitions: [],
  toastIdentity: false,
  settings: ['TimeZone', 'DateStyle', 'bytea_output'],
  options: normalizeOptions({ exclude: ['password_hash'], redact: ['api_secret'], ignore: ['updated_at'] }),
};
