import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { MESSAGE_OPERATIONS, type MessageQueryInput, type TopicMessageView } from '@walbridge/contracts';
import { browseMessages } from '../../api/messages.api';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { formatBytes, formatDateTime, formatInteger } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { localDateTimeToIso } from '../wizard/wizard-values';

interface Filters {
  table: string;
  operation: string;
  partition: string;
  jump: 'latest' | 'offset' | 'time';
  offset: string;
  time: string;
  limit: string;
}

const INITIAL: Filters = { table: '', operation: '', partition: '', jump: 'latest', offset: '', time: '', limit: '20' };

function toQuery(f: Filters): MessageQueryInput {
  const query: MessageQueryInput = { limit: Number(f.limit) || 20 };
  if (f.table) query.table = f.table;
  if (f.operation) query.operation = f.operation as MessageQueryInput['operation'];
  if (f.partition !== '') query.partition = Number(f.partition);
  if (f.jump === 'offset' && f.offset !== '') query.offset = Number(f.offset);
  if (f.jump === 'time' && f.time) query.from = localDateTimeToIso(f.time);
  return query;
}

/**
 * The latest messages of the task's topics (PRODUCT.md, issue 15 feature 1), read through the
 * API: the browser never talks to Kafka. Loaded on demand, since each read is a Kafka consumer.
 */
export function MessageBrowser({ task }: { task: TaskDetail }) {
  const [draft, setDraft] = useState<Filters>(INITIAL);
  const [applied, setApplied] = useState<Filters | null>(null);
  const ids = { table: useId(), operation: useId(), partition: useId(), offset: useId(), time: useId(), limit: useId() };
  const messages = useQuery({
    queryKey: ['tasks', 'messages', task.id, applied],
    queryFn: ({ signal }) => browseMessages(task.id, toQuery(applied!), signal),
    enabled: applied !== null,
    retry: false,
    staleTime: Infinity,
  });
  const tables = task.policy.tables.map((t) => `${t.schema}.${t.table}`);
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...draft });
    if (applied && JSON.stringify(applied) === JSON.stringify(draft)) void messages.refetch();
  };

  return (
    <div className="message-browser">
      <form className="filters message-browser__filters" onSubmit={submit} aria-label="Message filters">
        <FilterSelect id={ids.table} label="Table" all="All tables" options={tables} value={draft.table} onChange={(v) => set('table', v)} />
        <FilterSelect id={ids.operation} label="Operation" all="All operations" options={MESSAGE_OPERATIONS} value={draft.operation} onChange={(v) => set('operation', v)} />
        <div className="field field--number">
          <label htmlFor={ids.partition}>Partition</label>
          <input id={ids.partition} type="number" min={0} value={draft.partition} placeholder="all" onChange={(e) => set('partition', e.target.value)} />
        </div>
        <fieldset className="choice-group">
          <legend>Read</legend>
          <div className="choice-group__options">
            {(
              [
                ['latest', 'The latest'],
                ['offset', 'From an offset'],
                ['time', 'From a time'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="choice choice--inline">
                <input type="radio" name="jump" checked={draft.jump === value} onChange={() => set('jump', value)} />
                <span>{label}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {draft.jump === 'offset' && (
          <div className="field field--number">
            <label htmlFor={ids.offset}>Offset</label>
            <input id={ids.offset} type="number" min={0} value={draft.offset} onChange={(e) => set('offset', e.target.value)} />
          </div>
        )}
        {draft.jump === 'time' && (
          <div className="field">
            <label htmlFor={ids.time}>From</label>
            <input id={ids.time} type="datetime-local" step={1} value={draft.time} onChange={(e) => set('time', e.target.value)} />
          </div>
        )}
        <div className="field field--number">
          <label htmlFor={ids.limit}>How many</label>
          <select id={ids.limit} value={draft.limit} onChange={(e) => set('limit', e.target.value)}>
            {['10', '20', '50', '100', '200'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--primary" disabled={messages.isFetching}>
          {messages.isFetching ? 'Reading…' : applied ? 'Read again' : 'Read messages'}
        </button>
      </form>
      {applied === null ? (
        <p className="muted">Reads the task’s topics on demand, through the server: nothing here connects your browser to Kafka.</p>
      ) : messages.isPending ? (
        <LoadingPanel>Reading the topics (up to 10 s)…</LoadingPanel>
      ) : messages.error ? (
        <ErrorPanel title="Could not read the messages" error={messages.error} />
      ) : (
        <MessageList view={messages.data} />
      )}
    </div>
  );
}

function MessageList({ view }: { view: NonNullable<Awaited<ReturnType<typeof browseMessages>>> }) {
  return (
    <>
      <p className="muted" role="status">
        {formatInteger(view.messages.length)} message{view.messages.length === 1 ? '' : 's'} shown ({formatInteger(view.scanned)} read) from{' '}
        {view.topics
          .map((t) => (t.exists ? `${t.name} (${t.partitions.map((p) => `partition ${p.partition}: offsets ${p.low}–${p.high}`).join(', ')})` : `${t.name} (missing)`))
          .join('; ') || 'no topic'}
        {view.truncated && '. Reading stopped at its time limit: narrow the filters for more.'}
      </p>
      {!view.messages.length ? (
        <EmptyPanel title="No message matches." />
      ) : (
        <ol className="message-list" aria-label="Messages">
          {view.messages.map((m) => (
            <MessageItem key={`${m.topic}/${m.partition}/${m.offset}`} message={m} />
          ))}
        </ol>
      )}
    </>
  );
}

function pretty(value: string | null): string {
  if (value === null) return '(tombstone: no value)';
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

/** Says what the server decoded the message from, so a reader knows the JSON is not the bytes on the topic. */
function decodedNote(m: TopicMessageView): string {
  if (m.decodedFrom === 'avro') return 'Decoded from Walbridge’s fixed Avro envelope.';
  const ids = [m.schemaIds?.value != null ? `value schema id ${m.schemaIds.value}` : null, m.schemaIds?.key != null ? `key schema id ${m.schemaIds.key}` : null].filter(Boolean);
  return `Decoded from Avro (Confluent wire format${ids.length ? `, ${ids.join(', ')}` : ''}) with the schema from the task’s registry.`;
}

function MessageItem({ message: m }: { message: TopicMessageView }) {
  const label = `${m.topic} partition ${m.partition} offset ${m.offset}`;
  return (
    <li className="message" aria-label={label}>
      <dl className="message__facts">
        <div>
          <dt>Topic</dt>
          <dd className="mono">{m.topic}</dd>
        </div>
        <div>
          <dt>Partition</dt>
          <dd>{m.partition}</dd>
        </div>
        <div>
          <dt>Offset</dt>
          <dd className="mono">{m.offset}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            <time dateTime={m.timestamp}>{formatDateTime(m.timestamp)}</time>
          </dd>
        </div>
        <div>
          <dt>Operation</dt>
          <dd>{m.operation ?? '—'}</dd>
        </div>
        <div>
          <dt>Table</dt>
          <dd className="mono">{m.table ?? '—'}</dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd className="mono">{m.key ?? 'null'}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(m.sizeBytes)}</dd>
        </div>
      </dl>
      {Object.keys(m.headers).length > 0 && (
        <p className="message__headers">
          <strong>Headers:</strong>{' '}
          {Object.entries(m.headers).map(([k, v]) => (
            <span key={k} className="tag mono">
              {k}: {v}
            </span>
          ))}
        </p>
      )}
      <details>
        <summary>Value</summary>
        {m.decodedFrom && <p className="muted">{decodedNote(m)}</p>}
        {m.valueBase64 !== null ? (
          <>
            <p className="muted">
              {m.decodeError ? `Could not be decoded (${m.decodeError}): ` : 'Not JSON: '}
              {formatBytes(m.sizeBytes)} of binary, shown in base64.
            </p>
            <pre className="message__value">
              <code>{m.valueBase64}</code>
            </pre>
          </>
        ) : (
          <pre className="message__value">
            <code>{pretty(m.value)}</code>
          </pre>
        )}
      </details>
    </li>
  );
}

/** A filter that is either one of `options` or everything (the empty value). */
function FilterSelect({ id, label, all, options, value, onChange }: { id: string; label: string; all: string; options: readonly string[]; value: string; onChange: (value: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}
