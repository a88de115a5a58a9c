import { OutboundDeniedError, SchemaRegistryClient, type OutboundPolicy, type SubjectCompatibility } from '@walbridge/connectors';
import type { SchemaRegistryConfig } from '@walbridge/contracts';
import { subjectsToAsk, type PlannedSubject, type RegistryFacts } from '@walbridge/domain';

/** The registry as the precheck asks it (SchemaRegistryClient; a fake in the unit spec). */
export interface SubjectCompatibilityPort {
  /** The registry's address without credentials. */
  readonly where: string;
  compatibility(subject: string, schema: unknown): Promise<SubjectCompatibility>;
}

export function registryPort(config: SchemaRegistryConfig, outbound: OutboundPolicy): SubjectCompatibilityPort {
  return new SchemaRegistryClient(config, outbound);
}

/**
 * Asks the registry about each distinct (subject, schema) the worker would register. The first
 * failure to reach it (or a refusal of the credentials, or the outbound policy) stops the asking:
 * the item then says so once instead of per subject.
 */
export async function gatherRegistryFacts(port: SubjectCompatibilityPort, planned: readonly PlannedSubject[]): Promise<RegistryFacts> {
  const { ask, shared } = subjectsToAsk(planned);
  const verdicts: Extract<RegistryFacts, { ok: true }>['verdicts'] = [];
  try {
    for (const p of ask) {
      const answer = await port.compatibility(p.subject, p.schema);
      verdicts.push({ subject: p.subject, role: p.role, table: p.table, verdict: answer.verdict, messages: answer.messages, level: answer.level ?? null });
    }
  } catch (error) {
    const message = error instanceof OutboundDeniedError ? `schema registry ${port.where}: ${error.message}` : (error as Error).message;
    return { ok: false, registry: port.where, message };
  }
  return { ok: true, registry: port.where, verdicts, shared };
}
