import { useWatch } from 'react-hook-form';
import type { ConnectionTarget, SavedConnectionView } from '@walbridge/contracts';
import { SelectField, TextField } from '../../ui/form-fields';
import { connectionEndpointText } from './saved-connection-text';

/**
 * Step 2's choice between a saved connection and typing the settings. A saved one brings its
 * password on the server: nothing is typed again.
 */
export function SavedConnectionChoice({ target, connections }: { target: ConnectionTarget; connections: SavedConnectionView[] }) {
  const chosenId = useWatch({ name: `${target}.connectionId` }) as string | undefined;
  const mine = connections.filter((c) => c.type === target);
  const chosen = mine.find((c) => c.id === chosenId);
  if (!mine.length && !chosenId) return null;
  return (
    <div className="saved-connection-choice">
      <SelectField
        name={`${target}.connectionId`}
        label="Use a saved connection"
        options={[
          { value: '', label: 'No: type the settings below' },
          ...mine.map((c) => ({ value: c.id, label: c.name })),
          ...(chosenId && !chosen ? [{ value: chosenId, label: 'A connection that no longer exists' }] : []),
        ]}
      />
      {chosen && (
        <p className="muted">
          {connectionEndpointText(chosen)}
          {chosen.connection.passwordSet ? '; its password is saved with it' : ''}.
        </p>
      )}
    </div>
  );
}

/** Whether step 2 uses a saved connection for the target (the fields are then hidden). */
export function useChosenConnection(target: ConnectionTarget): boolean {
  return !!(useWatch({ name: `${target}.connectionId` }) as string | undefined);
}

/** "Save this connection": saved under the name given when Next is pressed. */
export function SaveConnectionField({ target }: { target: ConnectionTarget }) {
  return (
    <TextField
      name={`${target}.saveAs`}
      label="Save this connection as (optional)"
      hint="A name: the next task picks it from “Use a saved connection”, password included."
      autoComplete="off"
    />
  );
}
