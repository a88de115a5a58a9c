import { describe, expect, it } from 'vitest';
import { credentialsInput } from './task-credentials-editor';

const values = (source: string, sasl: string, registry: string) => ({ source: { password: source }, destination: { password: sasl, schemaRegistry: { password: registry } } });

describe('credentialsInput (the passwords a task edit sends)', () => {
  it.each([
    { v: values('', '', ''), out: {} },
    { v: values('s3cret', '', ''), out: { source: { password: 's3cret' } } },
    { v: values('', 'sasl', ''), out: { destination: { password: 'sasl' } } },
    { v: values('', '', 'reg'), out: { destination: { schemaRegistry: { password: 'reg' } } } },
    { v: values('a', 'b', 'c'), out: { source: { password: 'a' }, destination: { password: 'b', schemaRegistry: { password: 'c' } } } },
  ])('$out', ({ v, out }) => {
    // A blank field keeps the saved password: no empty group is sent (a merge patch would add it).
    expect(credentialsInput(v)).toEqual(out);
  });
});
