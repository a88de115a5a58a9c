import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaLibsDir } from './kafka-broker';

// Kafka's own Java murmur2 and the Java client's choice for a key (what a Java producer's
// default partitioner does with a key): an oracle independent of Walbridge's TypeScript port.
const SOURCE = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

public class KafkaPartitionOf {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\\t');
      int partitions = Integer.parseInt(line.substring(0, tab));
      String input = line.substring(tab + 1).replace("\\\\n", "\\n").replace("\\\\\\\\", "\\\\");
      System.out.println(Utils.toPositive(Utils.murmur2(input.getBytes(StandardCharsets.UTF_8))) % partitions);
    }
  }
}
`;

/**
 * The partition Kafka's Java client computes for each (string, partition count): toPositive(
 * murmur2(utf8(string))) % count, computed by the kafka-clients jar itself in one JVM run.
 */
export function javaPartitions(inputs: ReadonlyArray<{ text: string; partitions: number }>): number[] {
  if (!inputs.length) return [];
  const dir = mkdtempSync(join(tmpdir(), 'wb-murmur2-'));
  try {
    const file = join(dir, 'KafkaPartitionOf.java');
    writeFileSync(file, SOURCE);
    const stdin = inputs.map((i) => `${i.partitions}\t${i.text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`).join('\n') + '\n';
    const out = execFileSync('java', ['-cp', `${kafkaLibsDir()}/*`, file], { input: stdin, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const lines = out.trim().split('\n').map(Number);
    if (lines.length !== inputs.length || lines.some((n) => !Number.isInteger(n))) throw new Error(`unexpected output of the Java partitioner: ${out.slice(0, 200)}`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
