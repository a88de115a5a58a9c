import { afterAll, describe, expect, it } from 'vitest';
import { demoDestination, testSchemaRegistry, uniqueName } from '@walbridge/testing';
import { api, createdTask, demoSql, demoTableAndTopic, demoTask, itemOf } from './precheck-fixture';

// Issue 17 item 3, "the precheck checks subject compatibility", against the real Apicurio
// Registry of the test stack (Confluent's API): the schemas asked about are the worker's own.
describe('precheck of an avro-registry task: subject compatibility', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    await demoSql(...cleanup.reverse()).catch(() => undefined);
  });

  const registryTask = async (registryUrl: string) => {
    const { table, topic } = await demoTableAndTopic((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text, amount numeric(10,2))`);
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic, { destination: demoDestination({ schemaRegistry: { url: registryUrl } }) }, { format: 'avro-registry' }));
    return { table, topic, task };
  };

  it('passes for subjects not registered yet, then fails naming the subject, the table and the registry’s rule once an incompatible schema holds it', async () => {
    const registry = testSchemaRegistry();
    const { table, topic, task } = await registryTask(registry.url);
    const fresh = itemOf(await api.runPrecheck(task.id), 'schema-registry');
    expect(fresh.result).toBe('PASSED');
    expect(fresh.reason).toContain(`${topic}-value`);
    expect(fresh.reason).toMatch(/will be registered/);

    // Someone else's schema under the value subject, with BACKWARD compatibility: ours cannot follow it.
    const subject = `${topic}-value`;
    const other = { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] };
    const registered = await fetch(`${registry.url}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(other) }),
    });
    expect(registered.status).toBe(200);
    const level = await fetch(`${registry.url}/config/${subject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    expect(level.status).toBe(200);

    const refused = itemOf(await api.runPrecheck(task.id), 'schema-registry');
    expect(refused.result).toBe('FAILED');
    expect(refused.reason).toContain(`the value schema of shop.${table} is not compatible with the latest version of subject ${subject} (compatibility BACKWARD)`);
    expect(refused.suggestion).toContain(`'{"compatibility":"NONE"}' ${registry.url}/config/${subject}`);
    expect(refused.suggestion).toMatch(/another topic/);
    expect(refused.affectedObjects).toEqual([`subject ${subject}`, `table shop.${table}`]);

    // The way out the item gives: the subject takes any schema, and the precheck passes again.
    await fetch(`${registry.url}/config/${subject}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: 'NONE' }) });
    expect(itemOf(await api.runPrecheck(task.id), 'schema-registry').result).toBe('PASSED');
  });

  it('fails clearly when the registry cannot be reached, and a JSON task has nothing to check', async () => {
    const { task } = await registryTask('http://127.0.0.1:9/apis/ccompat/v7');
    const run = await api.runPrecheck(task.id);
    const item = itemOf(run, 'schema-registry');
    expect(item.result).toBe('FAILED');
    expect(item.reason).toMatch(/schema registry http:\/\/127\.0\.0\.1:9\/apis\/ccompat\/v7 cannot be reached/);
    expect(item.suggestion).toMatch(/destination\.schemaRegistry/);
    expect(run.result).toBe('FAILED');

    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const json = await createdTask(demoTask(table, topic, { name: uniqueName('pre-json').replace(/_/g, '-') }));
    expect(itemOf(await api.runPrecheck(json.id), 'schema-registry')).toMatchObject({ result: 'PASSED', reason: null });
  });
});
