import type { ReactNode } from 'react';

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
