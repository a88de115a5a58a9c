import type { ReactNode } from 'react';
import { ApiError } from '../../api/api-client';
import { UnplacedErrors } from '../../ui/form-fields';
import type { StepProblem } from './step-form';

interface WizardActionsProps {
  busy?: boolean;
  onBack?: () => void;
  nextLabel?: string;
  nextDisabled?: boolean;
  /** Why Next is disabled, said next to it (and to screen readers through aria-describedby). */
  nextBlockedReason?: ReactNode;
}

export function WizardActions({ busy, onBack, nextLabel = 'Next', nextDisabled, nextBlockedReason }: WizardActionsProps) {
  return (
    <div className="wizard-actions">
      {onBack && (
        <button type="button" className="button" onClick={onBack} disabled={busy}>
          Previous
        </button>
      )}
      <div className="wizard-actions__next">
        {nextDisabled && nextBlockedReason && (
          <p className="muted" id="wizard-next-blocked">
            {nextBlockedReason}
          </p>
        )}
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || nextDisabled}
          aria-describedby={nextDisabled && nextBlockedReason ? 'wizard-next-blocked' : undefined}
        >
          {busy ? 'Saving…' : nextLabel}
        </button>
      </div>
    </div>
  );
}

export function StepProblemNotice({ problem }: { problem: StepProblem | null }) {
  if (!problem) return null;
  if (problem.details.length) return <UnplacedErrors details={problem.details} />;
  const error = problem.error;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice notice--error" role="alert">
      {message}
      {error instanceof ApiError && !error.isNetworkError && <span className="muted"> (HTTP {error.statusCode})</span>}
    </div>
  );
}
