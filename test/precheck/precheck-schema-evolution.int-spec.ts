import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@walbridge/testing';
import { api, createdTask, demoSql, demoTableAndTopic, demoTask, itemOf } from './precheck-fixture';

// Issue 12 items 3 and 8, through the HTTP API against the demo source: what the precheck says
// about columns PostgreSQL will not send, and about tables created after the start.
describe('precheck on schema evolution', () => {
  const cleanup: string[] = [];

  afterAll(async () => {
    await demoSql(...cleanup.reverse()).catch(() => undefined);
  });

  it('alarms about stored generated columns, naming each column of each table that will be absent', async () => {
    const { table, topic } = await demoTableAndTopic(
      (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, price numeric, qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED, label text GENERATED ALWAYS AS ('#' || id) STORED)`,
    );
    const { table: plain } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`, `DROP TABLE IF EXISTS shop.${plain}`);
    const task = await createdTask(demoTask(table, topic, {}, { tables: [{ schema: 'shop', table }, { schema: 'shop', table: plain }] }));
    const item = itemOf(await api.runPrecheck(task.id), 'generated-columns');
    expect(item.result).toBe('ALARM');
    expect(item.reason).toContain(`shop.${table} (total, label)`);
    expect(item.reason).not.toContain(plain);
    expect(item.reason).toMatch(/absent from every message/);
    expect(item.affectedObjects).toEqual([`"shop"."${table}"."total"`, `"shop"."${table}"."label"`]);

    const fine = await createdTask(demoTask(plain, topic));
    expect(itemOf(await api.runPrecheck(fine.id), 'generated-columns').result).toBe('PASSED');
  });

  it('says how a database-level task captures tables created later: discovered for this role, used as is for a DBA publication', async () => {
    const schema = uniqueName('wbtest_evo');
    const { topic } = await demoTableAndTopic();
    await demoSql(`CREATE SCHEMA ${schema} AUTHORIZATION demo`, `CREATE TABLE ${schema}.t (id int PRIMARY KEY)`, `ALTER TABLE ${schema}.t OWNER TO demo`);
    cleanup.push(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const task = await createdTask(demoTask('t', topic, {}, { objectScope: 'database', schemas: [schema], tables: [] }));
    const discovered = itemOf(await api.runPrecheck(task.id), 'new-tables');
    expect(discovered.result).toBe('ALARM');
    expect(discovered.reason).toMatch(/role is not a superuser/);
    expect(discovered.suggestion).toContain(`CREATE PUBLICATION "${task.slot.publication}" FOR TABLES IN SCHEMA "${schema}" WITH (publish_via_partition_root = true);`);

    // The DBA follows the suggestion: the task will use that publication as it is, and its name is no clash.
    await demoSql(`CREATE PUBLICATION "${task.slot.publication}" FOR TABLES IN SCHEMA ${schema} WITH (publish_via_partition_root = true)`);
    cleanup.push(`DROP PUBLICATION IF EXISTS "${task.slot.publication}"`);
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'new-tables')).toMatchObject({ result: 'PASSED', reason: expect.stringContaining(`exists FOR TABLES IN SCHEMA ${schema} and is used as it is`) });
    expect(itemOf(run, 'slot-and-publication').result).toBe('PASSED');
  });
});
