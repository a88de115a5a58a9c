import type { PrecheckRunStatus } from '@walbridge/vocabulary';
import { describe, expect, it } from 'vitest';
import {
  PRECHECK_ITEM_KEYS,
  destinationItemsWithoutConnection,
  evaluateDestination,
  evaluateRegistry,
  evaluateSource,
  evaluateTask,
  overallResult,
  planTopics,
  sourceItemsWithoutConnection,
  submitBlockers,
  type KafkaFacts,
  type PrecheckOutcome,
  type PrecheckTask,
  type SourceFacts,
  type TableFact,
} from './index';

const table = (over: Partial<TableFact> = {}): TableFact => ({
  schema: 'shop',
  table: 'orders',
  exists: true,
  kind: 'r',
  persistence: 'p',
  primaryKey: ['id'],
  replicaIdentity: 'd',
  toastableKeyColumns: [],
  canSelect: true,
  owned: true,
  ...over,
});

const task = (over: Partial<PrecheckTask> = {}, policy: Partial<PrecheckTask['policy']> = {}): PrecheckTask => ({
  id: '11111111-2222-3333-4444-555555555555',
  name: 'orders-cdc',
  status: 'CONFIGURATION',
  slotName: 'walbridge_orders',
  publicationName: 'walbridge_orders',
  defaultSlotName: 'walbridge_11111111_2222_3333_4444_555555555555',
  brokers: 'k1:9092,k2:9092',
  source: { database: 'shop', username: 'cdc' },
  destination: {},
  policy: {
    dmlOperations: ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'],
    objectScope: 'tables',
    tables: [{ schema: 'shop', table: 'orders' }],
    topicPolicy: { mode: 'specific', topic: 'orders' },
    ...policy,
  },
  slotNameUsedBy: [],
  longTransactionSeconds: 300,
  ...over,
});

const facts = (over: Partial<SourceFacts> = {}): SourceFacts => ({
  role: 'cdc',
  database: 'shop',
  clientAddress: '10.0.0.7',
  version: '15.8',
  versionNum: 150008,
  inRecovery: false,
  walLevel: 'logical',
  maxReplicationSlots: 10,
  maxWalSenders: 10,
  maxSlotWalKeepSizeMb: 10240,
  slots: [],
  superuser: false,
  replicationRole: true,
  replicationConnection: { ok: true },
  canConnect: true,
  canCreateInDatabase: true,
  schemas: [{ name: 'shop', exists: true, usage: true }],
  tables: [table()],
  seesAllSessions: true,
  longTransactions: [],
  preparedTransactions: [],
  publicationExists: false,
  ...over,
});

const kafka = (over: Partial<KafkaFacts> = {}): KafkaFacts => ({
  brokerCount: 3,
  brokerVersion: '3.8',
  supportsIdempotence: true,
  topics: [{ name: 'orders', exists: true, partitions: 3, createError: null }],
  autoCreateTopicsEnable: false,
  autoCreateReadError: null,
  ...over,
});

const item = (outcomes: PrecheckOutcome[], key: string) => {
  const found = outcomes.find((o) => o.key === key);
  if (!found) throw new Error(`no item ${key}`);
  return found;
};

describe('the source items', () => {
  it('all pass on a well-configured source', () => {
    const outcomes = evaluateSource(task(), facts());
    expect(outcomes.filter((o) => o.result !== 'PASSED')).toEqual([]);
  });

  it('gives one outcome per source item and no duplicates across the catalogue', () => {
    const keys = [...evaluateSource(task(), facts()), ...evaluateDestination(task(), kafka(), planTopics(task(), null)), evaluateRegistry(task(), null), ...evaluateTask(task())].map((o) => o.key);
    expect(keys.sort()).toEqual([...PRECHECK_ITEM_KEYS].sort());
  });

  it('fails every source item when the source cannot be reached, with the cause on the first', () => {
    const outcomes = sourceItemsWithoutConnection({ problem: 'bad-password', message: 'password authentication failed for user cdc', suggestion: 'check the password' });
    expect(outcomes.every((o) => o.result === 'FAILED')).toBe(true);
    expect(item(outcomes, 'source-connectivity')).toMatchObject({ reason: 'password authentication failed for user cdc', suggestion: 'check the password' });
    expect(item(outcomes, 'wal-level').reason).toMatch(/not checked/);
  });

  it('refuses old versions and standbys', () => {
    expect(item(evaluateSource(task(), facts({ versionNum: 90624, version: '9.6.24' })), 'source-version')).toMatchObject({ result: 'FAILED', reason: expect.stringContaining('9.6.24') });
    expect(item(evaluateSource(task(), facts({ versionNum: 90624, version: '9.6.24' })), 'output-plugin').result).toBe('FAILED');
    expect(item(evaluateSource(task(), facts({ inRecovery: true })), 'source-version')).toMatchObject({ result: 'FAILED', suggestion: 'connect the task to the primary server' });
    // A full synchronization needs PostgreSQL 13 (pg_current_snapshot); streaming alone does not.
    const full = task({}, { syncMode: 'full+incremental' });
    expect(item(evaluateSource(full, facts({ versionNum: 120015, version: '12.15' })), 'source-version')).toMatchObject({ result: 'FAILED', reason: expect.stringContaining('PostgreSQL 13') });
    expect(item(evaluateSource(task(), facts({ versionNum: 120015, version: '12.15' })), 'source-version').result).toBe('PASSED');
    expect(item(evaluateSource(full, facts({ versionNum: 150004, version: '15.4' })), 'source-version').result).toBe('PASSED');
  });

  it('asks for wal_level = logical and a restart', () => {
    const o = item(evaluateSource(task(), facts({ walLevel: 'replica' })), 'wal-level');
    expect(o).toMatchObject({ result: 'FAILED', reason: 'wal_level is replica; logical decoding needs logical' });
    expect(o.suggestion).toMatch(/^ALTER SYSTEM SET wal_level = logical;\n-- then restart PostgreSQL/);
  });

  it('fails when every slot is taken, naming the inactive ones to drop', () => {
    const slots = [
      { name: 'old', plugin: 'pgoutput', type: 'logical' as const, database: 'shop', active: false, retainedBytes: 10 },
      { name: 'standby', plugin: null, type: 'physical' as const, database: null, active: true, retainedBytes: 0 },
    ];
    const o = item(evaluateSource(task(), facts({ maxReplicationSlots: 2, maxWalSenders: 2, slots })), 'replication-slots');
    expect(o.result).toBe('FAILED');
    expect(o.reason).toBe('all replication slots are in use (2 of max_replication_slots = 2)');
    expect(o.suggestion).toContain("SELECT pg_drop_replication_slot('old');");
    expect(o.suggestion).not.toContain("pg_drop_replication_slot('standby')");
    expect(o.suggestion).toContain('ALTER SYSTEM SET max_replication_slots = 3;');
    // The task's own slot does not need a free one.
    const own = [{ ...slots[0], name: 'walbridge_orders' }, slots[1]];
    expect(item(evaluateSource(task(), facts({ maxReplicationSlots: 2, maxWalSenders: 2, slots: own })), 'replication-slots').result).toBe('PASSED');
  });

  it('fails when max_wal_senders is below max_replication_slots', () => {
    const o = item(evaluateSource(task(), facts({ maxReplicationSlots: 10, maxWalSenders: 4 })), 'replication-slots');
    expect(o).toMatchObject({ result: 'FAILED', reason: 'max_wal_senders (4) is lower than max_replication_slots (10)' });
    expect(o.suggestion).toContain('ALTER SYSTEM SET max_wal_senders = 10;');
  });

  it('asks for REPLICATION, then for a pg_hba.conf line when the walsender connection is refused', () => {
    expect(item(evaluateSource(task(), facts({ replicationRole: false })), 'replication-permission')).toMatchObject({
      result: 'FAILED',
      reason: 'role cdc is neither a superuser nor has the REPLICATION attribute',
      suggestion: 'ALTER ROLE "cdc" WITH REPLICATION;',
    });
    expect(item(evaluateSource(task(), facts({ replicationRole: false, superuser: true })), 'replication-permission').result).toBe('PASSED');
    const refused = facts({ replicationConnection: { ok: false, message: 'no pg_hba.conf entry for replication connection from host "10.0.0.7"', code: '28000' } });
    expect(item(evaluateSource(task(), refused), 'replication-permission').suggestion).toBe('add to pg_hba.conf: host shop cdc 10.0.0.7/32 scram-sha-256\nSELECT pg_reload_conf();');
  });

  it('lists the exact GRANTs for missing privileges', () => {
    const o = item(
      evaluateSource(
        task(),
        facts({
          canConnect: false,
          schemas: [{ name: 'Sales', exists: true, usage: false }],
          tables: [table({ schema: 'Sales', table: 'Order"s', canSelect: false })],
        }),
      ),
      'privileges',
    );
    expect(o.result).toBe('FAILED');
    expect(o.suggestion!.split('\n')).toEqual([
      'GRANT CONNECT ON DATABASE "shop" TO "cdc";',
      'GRANT USAGE ON SCHEMA "Sales" TO "cdc";',
      'GRANT SELECT ON "Sales"."Order""s" TO "cdc";',
    ]);
    expect(o.affectedObjects).toEqual(['database shop', 'schema Sales', 'Sales.Order"s']);
  });

  it('needs CREATE on the database and ownership of the tables to create the publication, unless superuser', () => {
    const o = item(evaluateSource(task(), facts({ canCreateInDatabase: false, tables: [table({ owned: false })] })), 'publication-permission');
    expect(o.result).toBe('FAILED');
    expect(o.suggestion).toContain('GRANT CREATE ON DATABASE "shop" TO "cdc";');
    expect(o.suggestion).toContain('ALTER TABLE "shop"."orders" OWNER TO "cdc";');
    expect(o.suggestion).toContain('CREATE PUBLICATION "walbridge_orders" FOR TABLE "shop"."orders";');
    expect(item(evaluateSource(task(), facts({ superuser: true, canCreateInDatabase: false, tables: [table({ owned: false })] })), 'publication-permission').result).toBe('PASSED');
  });

  it('refuses missing, temporary, unlogged and non-table objects', () => {
    const o = item(
      evaluateSource(
        task(),
        facts({
          tables: [
            table({ table: 'gone', exists: false, kind: null, persistence: null }),
            table({ table: 'tmp', persistence: 't' }),
            table({ table: 'fast', persistence: 'u' }),
            table({ table: 'v', kind: 'v' }),
          ],
        }),
      ),
      'objects',
    );
    expect(o.result).toBe('FAILED');
    expect(o.reason).toContain('shop.gone does not exist');
    expect(o.reason).toContain('shop.tmp is temporary');
    expect(o.reason).toContain('shop.fast is unlogged');
    expect(o.reason).toContain('shop.v is a view');
    expect(o.suggestion).toContain('ALTER TABLE "shop"."fast" SET LOGGED;');
    expect(o.affectedObjects).toEqual(['shop.gone', 'shop.v', 'shop.tmp', 'shop.fast']);
  });

  it('refuses names with forbidden characters and empty database-level selections', () => {
    const db = task({}, { objectScope: 'database', schemas: ['shop'], tables: [] });
    expect(item(evaluateSource(db, facts({ tables: [table({ table: "it's" })] })), 'objects')).toMatchObject({ result: 'FAILED', affectedObjects: ["shop.it's"] });
    expect(item(evaluateSource(db, facts({ tables: [] })), 'objects').reason).toBe('no table found to capture in the selected schemas');
    expect(item(evaluateSource(db, facts({ schemas: [{ name: 'shop', exists: false, usage: false }], tables: [] })), 'objects').reason).toBe('schema shop does not exist');
  });

  it('asks for REPLICA IDENTITY FULL on tables without primary key', () => {
    const o = item(evaluateSource(task(), facts({ tables: [table({ table: 'log', primaryKey: [] }), table({ table: 'full', primaryKey: [], replicaIdentity: 'f' })] })), 'replica-identity');
    expect(o).toMatchObject({ result: 'FAILED', suggestion: 'ALTER TABLE "shop"."log" REPLICA IDENTITY FULL;', affectedObjects: ['shop.log'] });
    expect(o.reason).toContain('shop.log has no primary key and REPLICA IDENTITY DEFAULT');
    expect(item(evaluateSource(task(), facts({ tables: [table({ replicaIdentity: 'n' })] })), 'replica-identity').reason).toContain('REPLICA IDENTITY NOTHING');
  });

  it('alarms on TOAST-able key columns without REPLICA IDENTITY FULL', () => {
    const o = item(evaluateSource(task(), facts({ tables: [table({ primaryKey: ['code'], toastableKeyColumns: ['code'] })] })), 'toast-key-columns');
    expect(o).toMatchObject({ result: 'ALARM', suggestion: 'ALTER TABLE "shop"."orders" REPLICA IDENTITY FULL;' });
    expect(item(evaluateSource(task(), facts({ tables: [table({ primaryKey: ['code'], toastableKeyColumns: ['code'], replicaIdentity: 'f' })] })), 'toast-key-columns').result).toBe('PASSED');
  });

  describe('row filters and column lists', () => {
    const columns: TableFact['columns'] = [
      { name: 'id', type: 'bigint', kind: 'decimal', identity: true, toastable: false },
      { name: 'status', type: 'shop.status', kind: 'enum', enumLabels: ['new', 'paid'], identity: false, toastable: false },
      { name: 'note', type: 'text', kind: 'text', identity: false, toastable: true },
    ];
    const withSettings = (settings: Record<string, unknown>, over: Partial<TableFact> = {}) =>
      item(evaluateSource(task({}, { tables: [{ schema: 'shop', table: 'orders', ...settings }] }), facts({ tables: [table({ columns, ...over })] })), 'table-settings');

    it('passes filters and lists that fit the table, and tables without settings', () => {
      expect(withSettings({ filter: 'id > 10', includeColumns: ['id', 'note'] }).result).toBe('PASSED');
      expect(item(evaluateSource(task(), facts()), 'table-settings').result).toBe('PASSED');
    });

    it('fails a filter that does not fit, with its position and reason, and unknown list columns', () => {
      const o = withSettings({ filter: "status = 'lost'", excludeColumns: ['Note'] });
      expect(o.result).toBe('FAILED');
      expect(o.reason).toContain('excludeColumns of shop.orders names Note, which is not a column of the table');
      expect(o.reason).toContain("the row filter of shop.orders does not fit the table: position 10: 'lost' is not a value of its enum type for column status (shop.status) (values: new, paid)");
      expect(o.affectedObjects).toEqual(['shop.orders']);
    });

    it('alarms when DELETE or UPDATE images may lack what the filter reads, unless REPLICA IDENTITY FULL', () => {
      const o = withSettings({ filter: "note LIKE 'a%' AND status = 'new'" });
      expect(o.result).toBe('ALARM');
      expect(o.reason).toContain('DELETEs of shop.orders carry only the key columns, so its row filter cannot read note, status on them: every DELETE is sent');
      expect(o.reason).toContain('an UPDATE of shop.orders that leaves a large value');
      expect(o.suggestion).toContain('ALTER TABLE "shop"."orders" REPLICA IDENTITY FULL;');
      expect(withSettings({ filter: "note LIKE 'a%'" }, { replicaIdentity: 'f' }).result).toBe('PASSED');
      expect(withSettings({ filter: 'id = 1' }).result).toBe('PASSED');
      expect(withSettings({ filter: "note = 'x'", dmlOperations: ['INSERT'] }).result).toBe('PASSED');
    });
  });

  it('alarms on long and prepared transactions, and on not being able to see them', () => {
    const o = item(
      evaluateSource(
        task(),
        facts({
          longTransactions: [{ pid: 4242, user: 'app', database: 'shop', application: 'psql', state: 'idle in transaction', ageSeconds: 612.4 }],
          preparedTransactions: [{ gid: "tx'1", owner: 'app', database: 'shop', ageSeconds: 900 }],
        }),
      ),
      'long-transactions',
    );
    expect(o.result).toBe('ALARM');
    expect(o.suggestion).toContain('SELECT pg_terminate_backend(4242);');
    expect(o.suggestion).toContain("ROLLBACK PREPARED 'tx''1';");
    expect(o.affectedObjects[0]).toBe('pid 4242 (user app, database shop, application psql, idle in transaction) open for 612 s');
    const blind = item(evaluateSource(task(), facts({ seesAllSessions: false })), 'long-transactions');
    expect(blind).toMatchObject({ result: 'ALARM', suggestion: 'GRANT pg_read_all_stats TO "cdc";' });
  });

  it('fails when the slot or publication name belongs to someone else', () => {
    const slot = { name: 'walbridge_orders', plugin: 'pgoutput', type: 'logical' as const, database: 'shop', active: true, retainedBytes: 0 };
    const taken = item(evaluateSource(task(), facts({ slots: [slot], publicationExists: true })), 'slot-and-publication');
    expect(taken.result).toBe('FAILED');
    expect(taken.suggestion).toContain("SELECT pg_drop_replication_slot('walbridge_orders');");
    expect(taken.suggestion).toContain('DROP PUBLICATION "walbridge_orders";');
    // After the task has run, they are its own.
    expect(item(evaluateSource(task({ status: 'PAUSED' }), facts({ slots: [slot], publicationExists: true })), 'slot-and-publication').result).toBe('PASSED');
    // A slot of another plugin is never usable.
    const wrong = item(evaluateSource(task({ status: 'PAUSED' }), facts({ slots: [{ ...slot, plugin: 'wal2json' }] })), 'slot-and-publication');
    expect(wrong.reason).toContain('with plugin wal2json');
    const shared = item(evaluateSource(task({ slotNameUsedBy: [{ id: 'x', name: 'other' }] }), facts()), 'slot-and-publication');
    expect(shared.reason).toContain('task other (x) uses replication slot walbridge_orders');
  });

  it('alarms when WAL retention is unlimited or inactive slots retain a lot', () => {
    const o = item(evaluateSource(task(), facts({ maxSlotWalKeepSizeMb: -1 })), 'wal-retention');
    expect(o.result).toBe('ALARM');
    expect(o.suggestion).toContain("ALTER SYSTEM SET max_slot_wal_keep_size = '50GB';");
    expect(item(evaluateSource(task(), facts({ maxSlotWalKeepSizeMb: null, version: '12.9', versionNum: 120009 })), 'wal-retention').reason).toMatch(/needs PostgreSQL 13/);
    const heavy = { name: 'stale', plugin: 'pgoutput', type: 'logical' as const, database: 'shop', active: false, retainedBytes: 3 * 1024 ** 3 };
    expect(item(evaluateSource(task(), facts({ slots: [heavy] })), 'wal-retention')).toMatchObject({ result: 'ALARM', reason: expect.stringContaining('stale 3.0 GiB') });
  });
});

describe('the Kafka items', () => {
  it('pass on an existing topic and a broker that does not create topics by itself', () => {
    expect(evaluateDestination(task(), kafka(), planTopics(task(), null)).map((o) => o.result)).toEqual(['PASSED', 'PASSED', 'PASSED', 'PASSED']);
  });

  it('fail without a connection, the first saying why', () => {
    const outcomes = destinationItemsWithoutConnection({ problem: 'unreachable', message: 'no Kafka broker is reachable', suggestion: 'check the addresses' });
    expect(outcomes.map((o) => [o.key, o.result, o.reason])).toEqual([
      ['kafka-connectivity', 'FAILED', 'no Kafka broker is reachable'],
      ['kafka-topics', 'FAILED', expect.stringContaining('not checked')],
      ['kafka-auto-create', 'FAILED', expect.stringContaining('not checked')],
      ['kafka-retention', 'FAILED', expect.stringContaining('not checked')],
    ]);
  });

  it('fails on brokers older than 0.11', () => {
    expect(evaluateDestination(task(), kafka({ supportsIdempotence: false, brokerVersion: '0.10.1' }), planTopics(task(), null))[0]).toMatchObject({
      result: 'FAILED',
      reason: expect.stringContaining('0.10.1'),
    });
  });

  it('gives the command that creates a missing topic', () => {
    const o = evaluateDestination(task(), kafka({ topics: [{ name: 'orders', exists: false, partitions: null, createError: null }] }), planTopics(task(), null))[1];
    expect(o).toMatchObject({
      result: 'FAILED',
      reason: 'topic orders does not exist',
      suggestion: 'kafka-topics.sh --bootstrap-server k1:9092,k2:9092 --create --topic orders --partitions 1 --replication-factor 3',
    });
  });

  it('checks generated names, the replication factor and the broker verdict on creation', () => {
    const auto = task({}, { topicPolicy: { mode: 'auto', nameFormat: 'cdc.$schema$.$tablename$', replicationFactor: 4 } });
    const plan = planTopics(auto, [{ schema: 'shop', table: 'orders' }, { schema: 'shop', table: 'x'.repeat(250) }]);
    const o = evaluateDestination(auto, kafka({ topics: [{ name: 'cdc.shop.orders', exists: false, partitions: null, createError: null }] }), plan)[1];
    expect(o.result).toBe('FAILED');
    expect(o.reason).toContain(`no valid topic name for shop.${'x'.repeat(250)}`);
    expect(o.reason).toContain('replication factor 4 exceeds the 3 broker(s) of the Kafka cluster');
    expect(o.suggestion).toContain('set policy.topicPolicy.replicationFactor to at most 3');
    const denied = task({}, { topicPolicy: { mode: 'auto', nameFormat: 'cdc.$tablename$' } });
    const refused = evaluateDestination(
      denied,
      kafka({ topics: [{ name: 'cdc.orders', exists: false, partitions: null, createError: { code: 'TOPIC_AUTHORIZATION_FAILED', message: 'Not authorized' } }] }),
      planTopics(denied, null),
    )[1];
    expect(refused).toMatchObject({ result: 'FAILED', affectedObjects: ['topic cdc.orders'] });
    expect(refused.suggestion).toMatch(/grant the task's Kafka user Create/);
  });

  it('cannot plan auto topics of a database-level task without its tables', () => {
    const db = task({}, { objectScope: 'database', tables: [], topicPolicy: { mode: 'auto', nameFormat: '$tablename$' } });
    expect(planTopics(db, null)).toBeNull();
    expect(evaluateDestination(db, kafka(), null)[1].reason).toMatch(/could not be read from the source/);
  });

  it('alarms when brokers create topics on their own, or when that cannot be read', () => {
    expect(evaluateDestination(task(), kafka({ autoCreateTopicsEnable: true }), planTopics(task(), null))[2]).toMatchObject({
      result: 'ALARM',
      suggestion: 'set auto.create.topics.enable=false in the server.properties of every broker, then restart the brokers',
    });
    expect(evaluateDestination(task(), kafka({ autoCreateTopicsEnable: null, autoCreateReadError: 'Cluster authorization failed' }), planTopics(task(), null))[2].reason).toContain(
      'Cluster authorization failed',
    );
  });
});

describe('the task items', () => {
  it('alarm when DELETE or TRUNCATE is not synchronized, for the task or for one table', () => {
    expect(evaluateTask(task())[0].result).toBe('PASSED');
    expect(evaluateTask(task({}, { dmlOperations: ['INSERT', 'UPDATE'] }))[0]).toMatchObject({
      result: 'ALARM',
      affectedObjects: ['every table'],
      reason: expect.stringMatching(/^DELETE is not synchronized for every table; TRUNCATE is not synchronized for every table: /),
      suggestion: expect.stringContaining('add "DELETE" and "TRUNCATE" to policy.dmlOperations'),
    });
    expect(evaluateTask(task({}, { dmlOperations: ['INSERT', 'UPDATE', 'DELETE'] }))[0]).toMatchObject({
      result: 'ALARM',
      reason: expect.stringMatching(/^TRUNCATE is not synchronized for every table: rows deleted or truncated/),
      suggestion: expect.stringMatching(/^add "TRUNCATE" to policy.dmlOperations/),
    });
    const perTable = task({}, { tables: [{ schema: 'shop', table: 'orders', dmlOperations: ['INSERT'] }] });
    expect(evaluateTask(perTable)[0]).toMatchObject({ result: 'ALARM', affectedObjects: ['shop.orders'] });
  });
});

describe('overall result and the submit gate', () => {
  const items = (list: [string, string, boolean?][]) => list.map(([key, result, confirmed]) => ({ key, name: key, result, confirmed: !!confirmed }));

  it('takes the worst item', () => {
    expect(overallResult(['PASSED', 'ALARM'])).toBe('ALARM');
    expect(overallResult(['PASSED', 'FAILED', 'ALARM'])).toBe('FAILED');
    expect(overallResult(['PASSED'])).toBe('PASSED');
  });

  it('lets a task through only after a finished run without failures, with confirmed alarms, on an unchanged configuration', () => {
    const run = (list: [string, string, boolean?][], status: PrecheckRunStatus = 'FINISHED') => ({ status, error: null, items: items(list) });
    expect(submitBlockers(null, false)).toEqual([expect.stringContaining('no precheck has been run')]);
    expect(submitBlockers(run([['a', 'PENDING']], 'RUNNING'), false)).toEqual(['the precheck is still running']);
    expect(submitBlockers({ status: 'ERROR', error: 'boom', items: [] }, false)[0]).toContain('boom');
    expect(submitBlockers(run([['a', 'FAILED'], ['b', 'ALARM']]), false)).toEqual(['precheck items failed: a', 'alarm items are not confirmed: b']);
    expect(submitBlockers(run([['a', 'PASSED'], ['b', 'ALARM', true]]), true)).toEqual(['the configuration changed after the precheck: check again']);
    expect(submitBlockers(run([['a', 'PASSED'], ['b', 'ALARM', true]]), false)).toEqual([]);
  });
});

describe('the full-synchronization item', () => {
  const full = task({}, { syncMode: 'full+incremental' });
  const snapTable = (over: Partial<NonNullable<SourceFacts['snapshot']>['tables'][number]> = {}) => ({
    schema: 'shop',
    table: 'orders',
    partitioned: false,
    identityIndex: [],
    rowsEstimated: 1_250_000,
    bytes: 300 * 1024 ** 2,
    unreadableLeaves: [],
    ...over,
  });
  const withSnapshot = (snapshot: Partial<NonNullable<SourceFacts['snapshot']>>, over: Partial<SourceFacts> = {}) =>
    facts({ snapshot: { emitMessage: { ok: true }, tables: [snapTable()], ...snapshot }, ...over });

  it.each([
    ['an incremental task', task(), facts(), 'PASSED', /not needed: the task synchronizes changes only/],
    ['a keyed table', full, withSnapshot({}), 'PASSED', /about 1\.3 million existing rows \(300\.0 MiB on disk\) in 1 table, read in short chunks without locks .*: shop\.orders by its primary key \(id\)$/],
    [
      'a replica identity index',
      full,
      withSnapshot({ tables: [snapTable({ identityIndex: ['code'] })] }, { tables: [table({ primaryKey: [] })] }),
      'PASSED',
      /shop\.orders by its replica identity index \(code\)/,
    ],
    [
      'a table without a key',
      full,
      withSnapshot({ tables: [snapTable()] }, { tables: [table({ primaryKey: [], replicaIdentity: 'f' })] }),
      'ALARM',
      /by ctid ranges\. Without a primary key, a row updated or deleted while its range is read may be delivered twice/,
    ],
    [
      'no EXECUTE on pg_logical_emit_message',
      full,
      withSnapshot({ emitMessage: { ok: false, message: 'permission denied for function pg_logical_emit_message', code: '42501' } }),
      'FAILED',
      /the role cdc cannot write the snapshot's chunk watermarks .*permission denied/,
    ],
    [
      'a table never analyzed: its row count is unknown, not zero',
      full,
      withSnapshot({ tables: [snapTable({ rowsEstimated: null })] }),
      'PASSED',
      /^an unknown number of existing rows \(300\.0 MiB on disk; shop\.orders never analyzed: ANALYZE it for an estimate\) in 1 table/,
    ],
    ['no SELECT', full, withSnapshot({}, { tables: [table({ canSelect: false })] }), 'FAILED', /existing rows of shop\.orders cannot be read without SELECT/],
    [
      'a keyless partitioned table with unreadable partitions',
      full,
      withSnapshot({ tables: [snapTable({ partitioned: true, unreadableLeaves: ['shop.orders_2026'] })] }, { tables: [table({ kind: 'p', primaryKey: [] })] }),
      'FAILED',
      /read partition by partition, and the role may not read shop\.orders_2026/,
    ],
  ] as const)('%s', (_name, t, f, result, reason) => {
    const o = item(evaluateSource(t, f), 'full-sync');
    expect(o.result).toBe(result);
    expect(o.reason).toMatch(reason);
  });

  it('suggests the statement that fixes a failure', () => {
    const grant = item(evaluateSource(full, withSnapshot({ emitMessage: { ok: false, message: 'denied', code: '42501' } })), 'full-sync');
    expect(grant.suggestion).toBe('as a superuser: GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO "cdc";');
    const readOnly = item(evaluateSource(full, withSnapshot({ emitMessage: { ok: false, message: 'read-only transaction', code: '25006' } })), 'full-sync');
    expect(readOnly.suggestion).toMatch(/ALTER ROLE "cdc" SET default_transaction_read_only = off;/);
    const leaves = item(
      evaluateSource(full, withSnapshot({ tables: [snapTable({ partitioned: true, unreadableLeaves: ['shop.orders_2026'] })] }, { tables: [table({ kind: 'p', primaryKey: [] })] })),
      'full-sync',
    );
    expect(leaves.suggestion).toBe('GRANT SELECT ON shop.orders_2026 TO "cdc"; (or give the partitioned table a primary key)');
    expect(leaves.affectedObjects).toEqual(['shop.orders_2026']);
  });
});

describe('the topic retention item of a full synchronization', () => {
  const full = task({}, { syncMode: 'full+incremental' });
  const sized = new Map([['shop.orders', 3 * 1024 ** 3]]);
  const topic = (over: Partial<KafkaFacts['topics'][number]>) => kafka({ topics: [{ name: 'orders', exists: true, partitions: 3, createError: null, ...over }] });
  const retention = (t: PrecheckTask, f: KafkaFacts, bytes: Map<string, number> | undefined = sized) =>
    item(evaluateDestination(t, f, planTopics(t, [{ schema: 'shop', table: 'orders' }]), bytes), 'kafka-retention');

  it.each([
    ['an incremental task', task(), topic({ retentionBytes: 1024, cleanupPolicy: 'delete' }), 'PASSED'],
    ['unlimited retention', full, topic({ retentionBytes: -1, cleanupPolicy: 'delete' }), 'PASSED'],
    ['a compacted topic', full, topic({ retentionBytes: 1024, cleanupPolicy: 'compact' }), 'PASSED'],
    ['enough room', full, topic({ retentionBytes: 2 * 1024 ** 3, cleanupPolicy: 'delete' }), 'PASSED'],
    ['retention not read', full, topic({}), 'PASSED'],
    ['less than the tables take', full, topic({ retentionBytes: 512 * 1024 ** 2, cleanupPolicy: 'compact,delete' }), 'ALARM'],
  ] as const)('%s', (_name, t, f, result) => {
    expect(retention(t, f).result).toBe(result);
  });

  it('names the topic, both sizes and the setting that makes room', () => {
    const o = retention(full, topic({ retentionBytes: 512 * 1024 ** 2, cleanupPolicy: 'delete' }));
    expect(o.reason).toBe(
      'topic orders keeps 1.5 GiB (retention.bytes 536870912 on 3 partitions), less than the 3.0 GiB its tables take on the source\'s disk: the oldest snapshot rows would be deleted before it holds the whole table',
    );
    expect(o.suggestion).toBe(
      'kafka-configs.sh --bootstrap-server k1:9092,k2:9092 --alter --entity-type topics --entity-name orders --add-config retention.bytes=3221225472  (or cleanup.policy=compact, or retention.bytes=-1)',
    );
    expect(o.affectedObjects).toEqual(['topic orders']);
  });
});
