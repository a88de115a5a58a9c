import { describe, expect, it } from 'vitest';
import { planPublication, type PublicationScopeFacts } from '../publication-scope';
import { generatedColumns, newTables } from './evaluate-schema-evolution';
import type { PrecheckTask, SourceFacts } from './precheck-facts';

const noPublication = { exists: false, allTables: false, schemas: [] };

describe('planPublication', () => {
  const cases: { name: string; facts: PublicationScopeFacts; kind: string }[] = [
    { name: 'a table-level task lists its tables', facts: { objectScope: 'tables', superuser: true, versionNum: 150000, publication: noPublication }, kind: 'tables' },
    { name: 'a superuser on 15 publishes the schemas', facts: { objectScope: 'database', schemas: ['shop'], superuser: true, versionNum: 150004, publication: noPublication }, kind: 'schemas' },
    { name: 'a superuser with no schema chosen publishes all tables', facts: { objectScope: 'database', superuser: true, versionNum: 140000, publication: noPublication }, kind: 'allTables' },
    { name: 'a superuser on 14 cannot publish schemas', facts: { objectScope: 'database', schemas: ['shop'], superuser: true, versionNum: 140009, publication: noPublication }, kind: 'discover' },
    { name: 'another role discovers new tables', facts: { objectScope: 'database', schemas: ['shop'], superuser: false, versionNum: 160000, publication: noPublication }, kind: 'discover' },
    { name: "a DBA's FOR TABLES IN SCHEMA publication is used as it is", facts: { objectScope: 'database', schemas: ['shop'], superuser: false, versionNum: 150000, publication: { exists: true, allTables: false, schemas: ['shop'] } }, kind: 'existing' },
    { name: "a DBA's FOR ALL TABLES publication is used as it is", facts: { objectScope: 'database', superuser: false, versionNum: 150000, publication: { exists: true, allTables: true, schemas: [] } }, kind: 'existing' },
    { name: 'an own list publication turns into a schema one in place', facts: { objectScope: 'database', schemas: ['shop'], superuser: true, versionNum: 150000, publication: { exists: true, allTables: false, schemas: [] } }, kind: 'schemas' },
    { name: 'an own list publication cannot become FOR ALL TABLES in place', facts: { objectScope: 'database', superuser: true, versionNum: 150000, publication: { exists: true, allTables: false, schemas: [] } }, kind: 'discover' },
  ];
  for (const c of cases) it(c.name, () => expect(planPublication(c.facts).kind).toBe(c.kind));
});

const task = (policy: Partial<PrecheckTask['policy']>): PrecheckTask =>
  ({
    id: 't',
    name: 'n',
    status: 'CONFIGURATION',
    slotName: 'wb',
    publicationName: 'wb',
    defaultSlotName: 'wb',
    brokers: 'k:9092',
    source: { database: 'shop', username: 'cdc' },
    destination: {},
    policy: { dmlOperations: ['INSERT'], objectScope: 'database', schemas: ['shop'], tables: [], topicPolicy: { mode: 'specific', topic: 't' }, ...policy },
    slotNameUsedBy: [],
    longTransactionSeconds: 300,
  }) as PrecheckTask;
const facts = (over: Partial<SourceFacts>): SourceFacts => ({ superuser: false, versionNum: 150000, version: '15.8', publicationExists: false, ...over }) as SourceFacts;

describe('the new-tables item', () => {
  it('passes a table-level task without comment', () => {
    expect(newTables(task({ objectScope: 'tables' }), facts({}))).toMatchObject({ result: 'PASSED', reason: null });
  });

  it('says a superuser task publishes its schemas, and warns about keyless tables', () => {
    const o = newTables(task({}), facts({ superuser: true }));
    expect(o.result).toBe('PASSED');
    expect(o.reason).toContain('FOR TABLES IN SCHEMA shop');
    expect(o.reason).toContain('captured from their first row');
    expect(o.reason).toMatch(/UPDATE and DELETE on it fail on the source/);
  });

  it("says a DBA's publication is used as it is", () => {
    const o = newTables(task({}), facts({ publicationExists: true, publicationScope: { allTables: true, schemas: [] } }));
    expect(o).toMatchObject({ result: 'PASSED' });
    expect(o.reason).toContain('exists FOR ALL TABLES and is used as it is');
  });

  it('alarms when new tables are only discovered, with the publication a superuser can create', () => {
    const o = newTables(task({}), facts({}));
    expect(o.result).toBe('ALARM');
    expect(o.reason).toContain('discovered within 5 s');
    expect(o.reason).toMatch(/not delivered/);
    expect(o.suggestion).toContain('CREATE PUBLICATION "wb" FOR TABLES IN SCHEMA "shop" WITH (publish_via_partition_root = true);');
  });
});

describe('the generated-columns item', () => {
  it('passes without generated columns', () => {
    expect(generatedColumns(facts({ generatedColumns: [] })).result).toBe('PASSED');
  });

  it('alarms, naming every stored generated column by table', () => {
    const o = generatedColumns(
      facts({
        generatedColumns: [
          { schema: 'shop', table: 'orders', column: 'total' },
          { schema: 'shop', table: 'orders', column: 'tax' },
          { schema: 'shop', table: 'lines', column: 'amount' },
        ],
      }),
    );
    expect(o.result).toBe('ALARM');
    expect(o.reason).toContain('shop.orders (total, tax); shop.lines (amount)');
    expect(o.reason).toMatch(/absent from every message/);
    expect(o.affectedObjects).toEqual(['"shop"."orders"."total"', '"shop"."orders"."tax"', '"shop"."lines"."amount"']);
  });
});
