import { describe, expect, it } from 'vitest';
import { renderTopicName, validateTopicName } from './topic-name';

const orders = { database: 'shop', schema: 'public', table: 'orders' };

describe('renderTopicName', () => {
  it('substitutes placeholders and keeps literal text', () => {
    expect(renderTopicName('cdc.$database$.$schema$.$tablename$', orders)).toEqual({ ok: true, name: 'cdc.shop.public.orders' });
    expect(renderTopicName('$tablename$-$tablename$_v1', orders)).toEqual({ ok: true, name: 'orders-orders_v1' });
    expect(renderTopicName('fixed', orders)).toEqual({ ok: true, name: 'fixed' });
  });

  it('replaces illegal characters, in names and literal text, one _ per character', () => {
    const t = { database: 'shop', schema: 'Sales EU', table: 'órdenes "2024"/注文𝄞' };
    expect(renderTopicName('$schema$.$tablename$', t)).toEqual({ ok: true, name: 'Sales_EU._rdenes__2024_____' });
    expect(renderTopicName('my topic:$database$$', orders)).toEqual({ ok: true, name: 'my_topic_shop_' });
    expect(renderTopicName('$unknown$.$DATABASE$', orders)).toEqual({ ok: true, name: '_unknown_._DATABASE_' });
    expect(renderTopicName('a😀b', orders)).toEqual({ ok: true, name: 'a_b' });
  });

  it('enforces length and forbids . and ..', () => {
    expect(renderTopicName('', orders)).toEqual({ ok: false, reason: 'topic name is empty' });
    expect(renderTopicName('$tablename$', { ...orders, table: '' })).toMatchObject({ ok: false });
    expect(renderTopicName('.', orders)).toMatchObject({ ok: false, reason: expect.stringContaining("'.'") });
    expect(renderTopicName('..', orders)).toMatchObject({ ok: false, reason: expect.stringContaining("'..'") });
    expect(renderTopicName('$tablename$', { ...orders, table: '.' })).toMatchObject({ ok: false });
    expect(renderTopicName('...', orders)).toEqual({ ok: true, name: '...' });
    const long = { ...orders, table: 't'.repeat(245) };
    expect(renderTopicName('$database$.$tablename$', long)).toMatchObject({ ok: false, reason: expect.stringContaining('250') });
    expect(renderTopicName('$tablename$.123456789', { ...orders, table: 't'.repeat(239) })).toEqual({
      ok: true,
      name: 't'.repeat(239) + '.123456789',
    });
    expect(renderTopicName('x'.repeat(250), orders)).toMatchObject({ ok: false });
  });
});

describe('validateTopicName', () => {
  it('accepts legal names', () => {
    for (const name of ['orders', 'cdc.shop-public_orders', 'A'.repeat(249), '...']) {
      expect(validateTopicName(name)).toEqual({ ok: true, name });
    }
  });

  it('rejects illegal ones without rewriting them', () => {
    expect(validateTopicName('')).toMatchObject({ ok: false });
    expect(validateTopicName('.')).toMatchObject({ ok: false });
    expect(validateTopicName('..')).toMatchObject({ ok: false });
    expect(validateTopicName('A'.repeat(250))).toMatchObject({ ok: false });
    expect(validateTopicName('my topic')).toEqual({ ok: false, reason: expect.stringContaining('" "') });
    expect(validateTopicName('a/b')).toMatchObject({ ok: false });
    expect(validateTopicName('注文')).toEqual({ ok: false, reason: expect.stringContaining('"注"') });
    expect(validateTopicName('a😀')).toEqual({ ok: false, reason: expect.stringContaining('"😀"') });
  });
});
