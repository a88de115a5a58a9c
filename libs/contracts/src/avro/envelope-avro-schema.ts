/**
 * The fixed Avro schema of Walbridge messages (format avro), the same as walbridge-envelope.avsc
 * next to this file (a test of the API checks that both agree). Served at
 * GET /api/v1/formats/avro-schema; every Avro message is Avro binary of it, without framing.
 */
export const ENVELOPE_AVRO_SCHEMA = {
  type: "record",
  name: "Envelope",
  namespace: "io.walbridge",
  doc: "One row change captured by Walbridge (PRODUCT.md section 5): the JSON envelope's fields, values as PostgreSQL's text output.",
  fields: [
    {
      name: "id",
      type: "string",
      doc: "<commit LSN as 16 hex digits>-<index in the transaction as 8 hex digits>; also the walbridge-id header"
    },
    {
      name: "database",
      type: "string"
    },
    {
      name: "schema",
      type: "string"
    },
    {
      name: "table",
      type: "string",
      doc: "A partitioned table's changes carry the parent's name"
    },
    {
      name: "type",
      type: {
        type: "enum",
        name: "ChangeType",
        symbols: [
          "INSERT",
          "UPDATE",
          "DELETE",
          "TRUNCATE"
        ]
      }
    },
    {
      name: "es",
      type: "long",
      doc: "Source commit time, ms since the Unix epoch"
    },
    {
      name: "ts",
      type: "long",
      doc: "Time the message was produced to Kafka, ms since the Unix epoch"
    },
    {
      name: "xid",
      type: "long",
      doc: "Source transaction id"
    },
    {
      name: "lsn",
      type: "string",
      doc: "Commit LSN, e.g. 0/A2E1F30"
    },
    {
      name: "isDdl",
      type: "boolean"
    },
    {
      name: "sql",
      type: "string"
    },
    {
      name: "pkNames",
      type: {
        type: "array",
        items: "string"
      }
    },
    {
      name: "columnType",
      type: {
        type: "map",
        values: "string"
      },
      doc: "format_type() of each column sent"
    },
    {
      name: "data",
      type: {
        type: "array",
        items: {
          type: "map",
          values: [
            "null",
            "string"
          ]
        }
      },
      doc: "The new row (INSERT, UPDATE) or the deleted row (DELETE), empty for TRUNCATE; SQL NULL is null"
    },
    {
      name: "old",
      type: [
        "null",
        {
          type: "array",
          items: {
            type: "map",
            values: [
              "null",
              "string"
            ]
          }
        }
      ],
      default: null,
      doc: "The previous image the source sent (full row with REPLICA IDENTITY FULL, else the key columns); null for INSERT"
    },
    {
      name: "unchangedToast",
      type: [
        "null",
        {
          type: "array",
          items: "string"
        }
      ],
      default: null,
      doc: "Columns left out of data: unchanged TOAST values the source did not send"
    },
    {
      name: "truncate",
      type: [
        "null",
        {
          type: "record",
          name: "TruncateOptions",
          fields: [
            { name: "cascade", type: "boolean" },
            { name: "restartIdentity", type: "boolean" }
          ]
        }
      ],
      default: null,
      doc: "Set on TRUNCATE messages only (data is empty): the options of the TRUNCATE"
    },
    {
      name: "snapshot",
      type: "boolean",
      default: false,
      doc: "A row read by a full synchronization or a backfill (type INSERT), not a change from the WAL"
    }
  ]
} as const;

/** The schema's full name, sent as the walbridge-schema header of Avro messages. */
export const ENVELOPE_AVRO_SCHEMA_NAME = 'io.walbridge.Envelope';
