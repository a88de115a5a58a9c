package dev.walbridge.tools;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.canal.CanalJsonDeserializationSchema;
import org.apache.flink.formats.json.debezium.DebeziumJsonDeserializationSchema;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.util.Collector;

/**
 * Reads Kafka message values, one JSON document a line on stdin, through Flink's own
 * debezium-json or canal-json deserializer and prints the changelog rows it produces, one JSON
 * line each: {"kind":"+I|-U|+U|-D","row":{column: value}}. Values are printed as strings
 * (exact: decimals in plain notation, dates and times in ISO-8601, bytes in base64), booleans as
 * booleans, arrays as arrays. A message Flink refuses ends the program with its error (exit 1).
 *
 * Usage: FlinkChangelogDecoder debezium-json|canal-json "ROW<`id` BIGINT, ...>" [--schema-include]
 * Empty lines (tombstones) are skipped, as Flink's Kafka source skips null values.
 */
public final class FlinkChangelogDecoder {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: FlinkChangelogDecoder debezium-json|canal-json \"ROW<`col` TYPE, ...>\" [--schema-include]");
      System.exit(2);
    }
    String format = args[0];
    LogicalType parsed = LogicalTypeParser.parse(args[1], FlinkChangelogDecoder.class.getClassLoader());
    if (!(parsed instanceof RowType)) throw new IllegalArgumentException("the row type must be ROW<...>, got " + args[1]);
    RowType rowType = (RowType) parsed;
    boolean schemaInclude = args.length > 2 && "--schema-include".equals(args[2]);
    DataType dataType = TypeConversions.fromLogicalToDataType(rowType);
    TypeInformation<RowData> typeInfo = TypeInformation.of(RowData.class);

    DeserializationSchema<RowData> schema;
    switch (format) {
      case "debezium-json":
        schema = new DebeziumJsonDeserializationSchema(dataType, Collections.emptyList(), typeInfo, schemaInclude, false, TimestampFormat.ISO_8601);
        break;
      case "canal-json":
        schema = CanalJsonDeserializationSchema.builder(dataType, Collections.emptyList(), typeInfo)
            .setIgnoreParseErrors(false)
            .setTimestampFormat(TimestampFormat.SQL)
            .build();
        break;
      default:
        throw new IllegalArgumentException("unknown format " + format);
    }
    schema.open(null);

    ObjectMapper mapper = new ObjectMapper();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    List<RowData> rows = new ArrayList<>();
    Collector<RowData> collector = new Collector<RowData>() {
      @Override
      public void collect(RowData record) {
        rows.add(record);
      }

      @Override
      public void close() {}
    };
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    long n = 0;
    while ((line = in.readLine()) != null) {
      n++;
      if (line.isEmpty()) continue;
      rows.clear();
      try {
        schema.deserialize(line.getBytes(StandardCharsets.UTF_8), collector);
      } catch (Exception e) {
        System.err.println("message " + n + " refused by Flink's " + format + " deserializer: " + e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) System.err.println("  caused by: " + c);
        System.exit(1);
      }
      for (RowData row : rows) {
        ObjectNode o = JSON.objectNode();
        o.put("kind", row.getRowKind().shortString());
        ObjectNode values = o.putObject("row");
        for (int i = 0; i < rowType.getFieldCount(); i++) {
          values.set(rowType.getFieldNames().get(i), value(row, i, rowType.getTypeAt(i)));
        }
        out.println(mapper.writeValueAsString(o));
      }
    }
    out.flush();
  }

  private static org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode value(RowData row, int i, LogicalType type) {
    if (row.isNullAt(i)) return JSON.nullNode();
    RowData.FieldGetter getter = RowData.createFieldGetter(type, i);
    return scalar(getter.getFieldOrNull(row), type);
  }

  private static org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode scalar(Object v, LogicalType type) {
    if (v == null) return JSON.nullNode();
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return JSON.booleanNode((Boolean) v);
      case BINARY:
      case VARBINARY:
        return JSON.textNode(Base64.getEncoder().encodeToString((byte[]) v));
      case DECIMAL:
        return JSON.textNode(((org.apache.flink.table.data.DecimalData) v).toBigDecimal().toPlainString());
      case DATE:
        return JSON.textNode(LocalDate.ofEpochDay((Integer) v).toString());
      case TIME_WITHOUT_TIME_ZONE:
        return JSON.textNode(LocalTime.ofNanoOfDay(((Integer) v) * 1_000_000L).toString());
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return JSON.textNode(((org.apache.flink.table.data.TimestampData) v).toLocalDateTime().toString());
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return JSON.textNode(((org.apache.flink.table.data.TimestampData) v).toInstant().toString());
      case ARRAY: {
        LogicalType element = ((ArrayType) type).getElementType();
        ArrayData array = (ArrayData) v;
        ArrayData.ElementGetter getter = ArrayData.createElementGetter(element);
        ArrayNode a = JSON.arrayNode();
        for (int k = 0; k < array.size(); k++) a.add(scalar(getter.getElementOrNull(array, k), element));
        return a;
      }
      default:
        return JSON.textNode(v.toString());
    }
  }
}
