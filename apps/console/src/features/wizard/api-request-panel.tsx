import { useWatch } from 'react-hook-form';
import type { TaskView } from '@walbridge/contracts';
import { curlCommand, taskCreateRequest } from './api-request-preview';
import { confirmInput, type ConfirmValues } from './wizard-values';

/**
 * Step 5's "API request": the JSON body and a curl line that create this task, kept in step with
 * the start and alarm choices above it, for users who script what they set up once by hand.
 */
export function ApiRequestPanel({ task }: { task: TaskView }) {
  const values = useWatch<ConfirmValues>() as ConfirmValues;
  const confirm = confirmInput(values);
  const body = taskCreateRequest(task, confirm);
  const json = JSON.stringify(body, null, 2);
  const curl = curlCommand(window.location.origin, body);
  return (
    <details className="form-section api-request">
      <summary className="form-section__title">API request</summary>
      <p className="muted">
        The same task through the REST API (<code>POST /api/v1/tasks</code>), with an API token from Administration → API tokens. Secrets are
        never shown: put them in where the placeholders are.
      </p>
      <CodeBlock label="Request body (JSON)" text={json} />
      <CodeBlock label="curl" text={curl} />
    </details>
  );
}

function CodeBlock({ label, text }: { label: string; text: string }) {
  return (
    <figure className="api-request__block">
      <figcaption>
        {label}{' '}
        <button type="button" className="button button--small" onClick={() => void navigator.clipboard?.writeText(text)} aria-label={`Copy ${label}`}>
          Copy
        </button>
      </figcaption>
      <pre className="sql" aria-label={label}>
        <code>{text}</code>
      </pre>
    </figure>
  );
}
