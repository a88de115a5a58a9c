package dev.walbridge.tools;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic from its beginning with Apicurio Registry's own Avro deserializer (Confluent wire
 * format: the 4-byte id is the registry's content id) for keys and values, and prints one JSON
 * line per record: {"partition", "key", "value"}. Logical types are turned into values by Avro's
 * own conversions (decimal as its plain text, date/time/timestamps as java.time's text).
 *
 *   java -cp ... dev.walbridge.tools.AvroRegistryConsumer <brokers> <topic> <registry v2 URL> <count> [timeout ms]
 */
public final class AvroRegistryConsumer {
  private static final Conversions.DecimalConversion DECIMAL = new Conversions.DecimalConversion();

  public static void main(String[] args) {
    String brokers = args[0], topic = args[1], registry = args[2];
    int count = Integer.parseInt(args[3]);
    long timeoutMs = args.length > 4 ? Long.parseLong(args[4]) : 60_000;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
    p.put(SerdeConfig.REGISTRY_URL, registry);
    p.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, "true");
    p.put(SerdeConfig.USE_ID, "contentId");
    int seen = 0;
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) partitions.add(new TopicPartition(topic, info.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<Object, Object> r : consumer.poll(Duration.ofMillis(500))) {
          StringBuilder out = new StringBuilder("{\"partition\":").append(r.partition()).append(",\"key\":");
          json(out, r.key(), r.key() instanceof GenericRecord k ? k.getSchema() : null);
          out.append(",\"value\":");
          json(out, r.value(), r.value() instanceof GenericRecord v ? v.getSchema() : null);
          System.out.println(out.append('}'));
          seen++;
        }
      }
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("read " + seen + " of " + count + " records before the timeout");
      System.exit(2);
    }
  }

  private static void json(StringBuilder out, Object v, Schema schema) {
    if (v == null) {
      out.append("null");
      return;
    }
    if (schema != null && schema.getType() == Schema.Type.UNION) {
      schema = schema.getTypes().get(GenericData.get().resolveUnion(schema, v));
    }
    LogicalType lt = schema == null ? null : schema.getLogicalType();
    if (lt instanceof LogicalTypes.Decimal) {
      BigDecimal d = DECIMAL.fromBytes((ByteBuffer) v, schema, lt);
      str(out, d.toPlainString());
    } else if (lt instanceof LogicalTypes.Date) {
      str(out, new TimeConversions.DateConversion().fromInt((Integer) v, schema, lt).toString());
    } else if (lt instanceof LogicalTypes.TimeMicros) {
      str(out, new TimeConversions.TimeMicrosConversion().fromLong((Long) v, schema, lt).toString());
    } else if (lt instanceof LogicalTypes.TimestampMicros) {
      str(out, new TimeConversions.TimestampMicrosConversion().fromLong((Long) v, schema, lt).toString());
    } else if (lt instanceof LogicalTypes.LocalTimestampMicros) {
      str(out, new TimeConversions.LocalTimestampMicrosConversion().fromLong((Long) v, schema, lt).toString());
    } else if (v instanceof GenericRecord rec) {
      out.append('{');
      boolean first = true;
      for (Schema.Field f : rec.getSchema().getFields()) {
        if (!first) out.append(',');
        first = false;
        str(out, f.name());
        out.append(':');
        json(out, rec.get(f.pos()), f.schema());
      }
      out.append('}');
    } else if (v instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) out.append(',');
        json(out, list.get(i), schema == null ? null : schema.getElementType());
      }
      out.append(']');
    } else if (v instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      str(out, "\\x" + HexFormat.of().formatHex(bytes));
    } else if (v instanceof Float || v instanceof Double) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) str(out, v.toString());
      else out.append(v);
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Map<?, ?>) {
      str(out, v.toString());
    } else {
      str(out, v.toString());
    }
  }

  private static void str(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }
}
