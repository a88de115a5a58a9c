import { describe, expect, it } from 'vitest';
import { COLUMN_FLAG_KEY, type RelationMessage, type ReplicaIdentity } from './pgoutput/messages';
import type { RelationSchema } from './relation-schema';
import { identityColumnsOf, shapeChange, type CatalogKeys } from './relation-shape';

const INT8 = 20;
const TEXT = 25;
const BOOL = 16;

function relation(identity: ReplicaIdentity, columns: [name: string, typeOid: number, key?: boolean][]): RelationMessage {
  return {
    tag: 'relation',
    relationId: 16_400,
    schema: 'shop',
    table: 't',
    replicaIdentity: identity,
    columns: columns.map(([name, typeOid, key]) => ({ name, typeOid, typeMod: -1, flags: key ? COLUMN_FLAG_KEY : 0, isKey: !!key })),
  };
}

const catalog = (columns: [string, number][], pk: string[] = [], identityIndex: string[] = []): CatalogKeys => ({
  columns: columns.map(([name, typeOid]) => ({ name, typeOid })),
  pk,
  identityIndex,
});

describe('identityColumnsOf: the WAL says which columns identify a row, the catalog only orders them', () => {
  const cases: { what: string; relation: RelationMessage; catalog: CatalogKeys; expected: string[] }[] = [
    {
      what: 'default identity: the flagged key, in the key order of the catalog',
      relation: relation('d', [['a', INT8, true], ['b', INT8, true], ['v', TEXT]]),
      catalog: catalog([['a', INT8], ['b', INT8], ['v', TEXT]], ['b', 'a']),
      expected: ['b', 'a'],
    },
    {
      what: 'default identity, key column renamed since the change was written: the name the WAL has',
      relation: relation('d', [['key', INT8, true], ['v', TEXT]]),
      catalog: catalog([['id', INT8], ['v', TEXT]], ['id']),
      expected: ['key'],
    },
    {
      what: 'default identity, table dropped since: the flagged columns',
      relation: relation('d', [['b', INT8, true], ['a', INT8, true]]),
      catalog: catalog([]),
      expected: ['b', 'a'],
    },
    {
      what: 'default identity, primary key changed since to other columns: the flags win',
      relation: relation('d', [['a', INT8, true], ['b', INT8]]),
      catalog: catalog([['a', INT8], ['b', INT8]], ['b']),
      expected: ['a'],
    },
    {
      what: 'USING INDEX: the index columns, not the primary key',
      relation: relation('i', [['id', INT8], ['code', TEXT, true], ['v', TEXT]]),
      catalog: catalog([['id', INT8], ['code', TEXT], ['v', TEXT]], ['id'], ['code']),
      expected: ['code'],
    },
    {
      what: 'FULL with a primary key: the primary key',
      relation: relation('f', [['id', INT8, true], ['v', TEXT, true]]),
      catalog: catalog([['id', INT8], ['v', TEXT]], ['id']),
      expected: ['id'],
    },
    {
      what: 'FULL with a renamed primary key: mapped by position while the columns line up',
      relation: relation('f', [['key', INT8, true], ['v', TEXT, true]]),
      catalog: catalog([['id', INT8], ['v', TEXT]], ['id']),
      expected: ['key'],
    },
    {
      what: 'FULL without a key: every column',
      relation: relation('f', [['a', TEXT, true], ['b', BOOL, true]]),
      catalog: catalog([['a', TEXT], ['b', BOOL]]),
      expected: ['a', 'b'],
    },
    {
      what: 'FULL, key not traceable (columns changed since): every column',
      relation: relation('f', [['key', INT8, true], ['v', TEXT, true]]),
      catalog: catalog([['id', INT8], ['v', BOOL], ['w', TEXT]], ['id']),
      expected: ['key', 'v'],
    },
    {
      what: 'no key flagged under the default identity: none',
      relation: relation('d', [['a', TEXT]]),
      catalog: catalog([['a', TEXT]]),
      expected: [],
    },
  ];
  it.each(cases)('$what', ({ relation: r, catalog: c, expected }) => {
    expect(identityColumnsOf(r, c)).toEqual(expected);
  });
});

describe('shapeChange: what a new Relation message changed', () => {
  const base: RelationSchema = {
    relationId: 1,
    database: 'demo',
    schema: 'shop',
    table: 't',
    replicaIdentity: 'd',
    pkNames: ['id'],
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'flag', type: 'text' },
    ],
  };
  const cases: { what: string; after: Partial<RelationSchema>; expected: { renamedFrom: string | null; columns: string[] } }[] = [
    { what: 'nothing', after: {}, expected: { renamedFrom: null, columns: [] } },
    { what: 'a table rename', after: { table: 't2' }, expected: { renamedFrom: 'shop.t', columns: [] } },
    {
      what: 'a column added',
      after: { columns: [...base.columns, { name: 'note', type: 'text' }] },
      expected: { renamedFrom: null, columns: ['column note added (text)'] },
    },
    { what: 'a column dropped', after: { columns: [base.columns[0]] }, expected: { renamedFrom: null, columns: ['column flag dropped'] } },
    {
      what: 'a type change',
      after: { columns: [base.columns[0], { name: 'flag', type: 'boolean' }] },
      expected: { renamedFrom: null, columns: ['column flag changed type from text to boolean'] },
    },
    {
      what: 'a rename of the key column (the key itself stays)',
      after: { columns: [{ name: 'key', type: 'bigint' }, base.columns[1]], pkNames: ['key'] },
      expected: { renamedFrom: null, columns: ['column id renamed to key'] },
    },
    {
      what: 'a new replica identity and key',
      after: { replicaIdentity: 'i', pkNames: ['flag'] },
      expected: { renamedFrom: null, columns: ['replica identity changed from default (primary key) to using index', 'key columns are now (flag), were (id)'] },
    },
  ];
  it.each(cases)('$what', ({ after, expected }) => {
    expect(shapeChange(base, { ...base, ...after })).toEqual(expected);
  });
});
