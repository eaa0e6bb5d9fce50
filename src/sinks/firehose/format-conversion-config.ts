/**
 * ExtendedS3's DataFormatConversionConfiguration: JSON records in (OpenX or Hive JSON SerDe),
 * Parquet out. Sluice has no Glue catalog, so SchemaConfiguration is accepted and described back
 * but not read: each buffer's schema is what DuckDB's read_json infers from its records. Applied:
 * ParquetSerDe.Compression, and OpenX's ColumnToJsonKeyMappings and ConvertDotsInJsonKeysToUnderscores
 * (as renames of the inferred columns); the other options are validated and kept.
 */

import { apiErrors } from '../../ingest/api/index.js';
import type { Spec } from '../../ingest/api/validation.js';

export type ParquetCompression = 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';

export interface FormatConversion {
  readonly deserializer: 'OpenXJsonSerDe' | 'HiveJsonSerDe';
  readonly compression: ParquetCompression;
  /** OpenX JSON SerDe: ColumnToJsonKeyMappings (JSON key → column) and ConvertDotsInJsonKeysToUnderscores. */
  readonly keyToColumn?: Readonly<Record<string, string>>;
  readonly dotsToUnderscores?: boolean;
}

/** The column a JSON key becomes, or undefined when the conversion renames nothing. */
export function columnNamer(c: FormatConversion): ((key: string) => string) | undefined {
  if (!c.keyToColumn && !c.dotsToUnderscores) return undefined;
  return (key) => c.keyToColumn?.[key] ?? (c.dotsToUnderscores ? key.replaceAll('.', '_') : key);
}

const GLUE_NAME: Spec = { type: 'string', min: 1, max: 1024, pattern: '^\\S+$' };

export const FORMAT_CONVERSION_SPEC: Spec = {
  type: 'structure',
  fields: {
    Enabled: { type: 'boolean' },
    SchemaConfiguration: {
      type: 'structure',
      fields: { RoleARN: { type: 'string', min: 1, max: 512 }, CatalogId: GLUE_NAME, DatabaseName: GLUE_NAME, TableName: GLUE_NAME, Region: GLUE_NAME, VersionId: GLUE_NAME },
    },
    InputFormatConfiguration: {
      type: 'structure',
      fields: {
        Deserializer: {
          type: 'structure',
          fields: {
            OpenXJsonSerDe: {
              type: 'structure',
              fields: {
                ConvertDotsInJsonKeysToUnderscores: { type: 'boolean' },
                CaseInsensitive: { type: 'boolean' },
                ColumnToJsonKeyMappings: { type: 'map', keyLength: [1, 1024], valueLength: [0, 1024] },
              },
            },
            HiveJsonSerDe: { type: 'structure', fields: { TimestampFormats: { type: 'list', member: { type: 'string', min: 1, max: 1024 } } } },
          },
        },
      },
    },
    OutputFormatConfiguration: {
      type: 'structure',
      fields: {
        Serializer: {
          type: 'structure',
          fields: {
            ParquetSerDe: {
              type: 'structure',
              fields: {
                BlockSizeBytes: { type: 'integer', min: 67108864 },
                PageSizeBytes: { type: 'integer', min: 65536 },
                Compression: { type: 'string', values: ['UNCOMPRESSED', 'GZIP', 'SNAPPY'] },
                EnableDictionaryCompression: { type: 'boolean' },
                MaxPaddingBytes: { type: 'integer', min: 0 },
                WriterVersion: { type: 'string', values: ['V1', 'V2'] },
              },
            },
            OrcSerDe: { type: 'structure', fields: {} },
          },
        },
      },
    },
  },
};

interface ConversionInput {
  Enabled?: boolean;
  InputFormatConfiguration?: {
    Deserializer?: { OpenXJsonSerDe?: { ConvertDotsInJsonKeysToUnderscores?: boolean; ColumnToJsonKeyMappings?: Record<string, string> }; HiveJsonSerDe?: object };
  };
  OutputFormatConfiguration?: { Serializer?: { ParquetSerDe?: { Compression?: ParquetCompression }; OrcSerDe?: object } };
}

/** The conversion a validated configuration asks for; undefined when absent or not Enabled. */
export function parseFormatConversion(input: unknown): FormatConversion | undefined {
  const c = input as ConversionInput | undefined;
  if (!c || c.Enabled === false) return undefined;
  const de = c.InputFormatConfiguration?.Deserializer;
  const ser = c.OutputFormatConfiguration?.Serializer;
  if (!de || (de.OpenXJsonSerDe === undefined) === (de.HiveJsonSerDe === undefined)) {
    throw apiErrors.invalid('InputFormatConfiguration.Deserializer must specify exactly one of OpenXJsonSerDe or HiveJsonSerDe.');
  }
  if (!ser || (ser.ParquetSerDe === undefined) === (ser.OrcSerDe === undefined)) {
    throw apiErrors.invalid('OutputFormatConfiguration.Serializer must specify exactly one of ParquetSerDe or OrcSerDe.');
  }
  if (ser.OrcSerDe !== undefined) throw apiErrors.invalid('OrcSerDe is not supported by Sluice (ParquetSerDe only).');
  const openX = de.OpenXJsonSerDe;
  const mappings = Object.entries(openX?.ColumnToJsonKeyMappings ?? {});
  return {
    deserializer: openX !== undefined ? 'OpenXJsonSerDe' : 'HiveJsonSerDe',
    compression: ser.ParquetSerDe?.Compression ?? 'SNAPPY',
    ...(mappings.length > 0 ? { keyToColumn: Object.fromEntries(mappings.map(([column, key]) => [key, column])) } : {}),
    ...(openX?.ConvertDotsInJsonKeysToUnderscores ? { dotsToUnderscores: true } : {}),
  };
}
