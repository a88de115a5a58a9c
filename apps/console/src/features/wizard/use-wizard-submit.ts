import { useQueryClient } from '@tanstack/react-query';
import type { RefObject } from 'react';
import { useNavigate } from 'react-router-dom';
import { policySchema, type ConnectionTarget, type TaskView } from '@walbridge/contracts';
import { createSavedConnection, type SavedConnectionBody } from '../../api/connections.api';
import { createTask, submitTask, updateTask } from '../../api/tasks.api';
import { asConnectionFields } from '../connections/connection-errors';
import { savedConnectionsKey } from '../connections/use-saved-connections.query';
import { runSettingsPatch } from '../task-edit/run-settings-values';
import { taskKeys } from '../tasks/use-tasks.query';
import { createdKey, removeDraft, saveDraft, sessionSet, withoutSecrets, type WizardDraft, type WizardStep } from './wizard-draft';
import {
  basicInput,
  confirmInput,
  destinationInput,
  PLACEHOLDER_POLICY,
  policyInput,
  replacingPatch,
  sourceInput,
  storedConnection,
  type BasicValues,
  type ConfirmValues,
  type ConnectionValues,
  type PolicyValues,
  type SchemaRegistryValues,
} from './wizard-values';

export interface WizardSubmitContext {
  username: string;
  /** The saved task, once step 2 created it. */
  task: TaskView | null;
  setTask: (task: TaskView) => void;
  /** The draft as last typed (the page's ref: a step hands its values over as it unmounts). */
  live: RefObject<WizardDraft>;
  /** Bumped when the draft is done with: what unmounting forms still report must not write it back. */
  generation: RefObject<number>;
  goTo: (step: WizardStep, patch?: Partial<WizardDraft>) => void;
}

const storage = (): Storage => window.localStorage;


/**
 * What each step's Next sends to the API: step 2 creates the task (the object picker and the
 * precheck work on a saved task, as in DRS), later steps PATCH it, step 5 submits it. The page
 * keeps the draft and the steps; this hook keeps the API calls.
 */
export function useWizardSubmit({ username, task, setTask, live, generation, goTo }: WizardSubmitContext) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const remember = (saved: TaskView) => {
    setTask(saved);
    queryClient.setQueryData(taskKeys.detail(saved.id), saved);
    void queryClient.invalidateQueries({ queryKey: [...taskKeys.all, 'list'] });
  };

  const nextFromBasic = async (values: BasicValues) => {
    if (task) {
      const input = basicInput(values);
      remember(await updateTask(task.id, { name: input.name, description: values.description, tags: input.tags ?? [] }));
    }
    goTo(2, { basic: values });
  };

  const connectionPatch = (values: ConnectionValues, only?: ConnectionTarget): Record<string, unknown> => {
    if (!task) return {};
    const patch: Record<string, unknown> = {};
    // A saved connection replaces the whole side on the server, its password included.
    if (only !== 'destination') patch.source = values.source.connectionId ? sourceInput(values.source) : replacingPatch(storedConnection(task.source), sourceInput(values.source), ['password']);
    if (only !== 'source' && values.destination.connectionId) patch.destination = destinationInput(values.destination);
    else if (only !== 'source') {
      const destination = replacingPatch(storedConnection(task.destination), destinationInput(values.destination), ['password', 'clientKey', 'schemaRegistry.password']) as Record<string, unknown>;
      const protocol = values.destination.securityProtocol;
      // Leaving SASL or TLS also drops the credentials that only they use.
      if (protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL' && task.destination.passwordSet) destination.password = null;
      if (!destination.clientCert && task.destination.clientKeySet) destination.clientKey = null;
      patch.destination = destination;
    }
    return patch;
  };

  const saveTarget = async (target: ConnectionTarget, values: ConnectionValues) => {
    if (task) remember(await updateTask(task.id, connectionPatch(values, target)));
  };

  /** Step 3's schema registry (format avro-registry, a destination without one): saved to the destination, and to the draft without its password. */
  const saveRegistry = async (values: SchemaRegistryValues) => {
    if (!task) return;
    const url = values.url.trim();
    const username = values.username.trim();
    remember(await updateTask(task.id, { destination: { schemaRegistry: { url, ...(username ? { username } : {}), ...(values.password ? { password: values.password } : {}) } } }));
    const connections = live.current.connections;
    if (connections) live.current = { ...live.current, connections: { ...connections, destination: { ...connections.destination, schemaRegistry: { url, username, password: '' } } } };
  };

  const nextFromConnections = async (typed: ConnectionValues) => {
    const values = await saveConnections(typed);
    const stored = withoutSecrets({ ...live.current, connections: values }).connections;
    if (task) {
      remember(await updateTask(task.id, connectionPatch(values)));
      goTo(3, { connections: stored });
      return;
    }
    const draft = live.current;
    const policy = draft.policy && policySchema.safeParse(policyInput(draft.policy)).success ? policyInput(draft.policy) : PLACEHOLDER_POLICY;
    const created = await createTask({ ...basicInput(draft.basic), source: sourceInput(values.source), destination: destinationInput(values.destination), policy });
    remember(created);
    // This wizard is done with the "new" draft: what its forms still report as they unmount must
    // not write it back.
    generation.current += 1;
    removeDraft(storage(), username, null);
    const moved: WizardDraft = { ...live.current, connections: stored, taskId: created.id, step: 3, reached: 3 };
    live.current = moved;
    saveDraft(storage(), username, moved);
    sessionSet(createdKey(username), created.id);
    navigate(`/tasks/${created.id}/setup?step=3`, { state: { created: true } });
  };

  /** "Save this connection": each side given a name is saved first, and the task references it. */
  const saveConnections = async (values: ConnectionValues): Promise<ConnectionValues> => {
    const next = { ...values };
    for (const target of ['source', 'destination'] as const) {
      const name = values[target].saveAs?.trim();
      if (!name || values[target].connectionId) continue;
      const body: SavedConnectionBody =
        target === 'source' ? { type: 'source', name, connection: sourceInput(values.source) } : { type: 'destination', name, connection: destinationInput(values.destination) };
      const saved = await createSavedConnection(body).catch((error: unknown) => {
        throw asConnectionFields(target, error, `${target}.saveAs`);
      });
      next[target] = { ...values[target], connectionId: saved.id, saveAs: '' } as never;
    }
    if (next.source !== values.source || next.destination !== values.destination) void queryClient.invalidateQueries({ queryKey: savedConnectionsKey });
    return next;
  };

  const nextFromPolicy = async (values: PolicyValues) => {
    if (!task) return;
    const { slotName: _shown, ...storedPolicy } = task.policy;
    remember(await updateTask(task.id, { policy: replacingPatch(storedPolicy, policyInput(values)) }));
    goTo(4, { policy: values });
  };

  const submit = async (values: ConfirmValues) => {
    if (!task) return;
    const input = confirmInput(values);
    const run = runSettingsPatch(task, values);
    await updateTask(task.id, { start: input.start, alarms: { ...(input.alarms ?? {}), ...run.alarms }, throttle: run.throttle, retry: run.retry });
    const submitted = await submitTask(task.id, input.start?.mode === 'at' ? input.start.at : undefined);
    generation.current += 1; // as above: the submitted task's draft stays deleted
    removeDraft(storage(), username, task.id);
    queryClient.setQueryData(taskKeys.detail(task.id), submitted);
    void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    navigate(`/tasks/${task.id}`, { state: { submitted: true } });
  };

  return { nextFromBasic, saveTarget, saveRegistry, nextFromConnections, nextFromPolicy, submit };
}
