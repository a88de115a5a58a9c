import { useId, type FormEventHandler, type ReactNode } from 'react';

interface FormSectionProps {
  /** The section's heading; it also names the section for screen readers (aria-labelledby). */
  title: ReactNode;
  /** h2 on a page or a wizard step, h3 inside a card. */
  level?: 2 | 3;
  className?: string;
  /** A form of its own (the admin and channel forms): a named `<form>`, found as role "form". */
  onSubmit?: FormEventHandler<HTMLFormElement>;
  children: ReactNode;
}

/** A titled block of a form (the wizard's steps, the task summary, the admin and channel forms). */
export function FormSection({ title, level = 2, className, onSubmit, children }: FormSectionProps) {
  const titleId = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  const classes = `form-section${className ? ` ${className}` : ''}`;
  const heading = (
    <Heading id={titleId} className="form-section__title">
      {title}
    </Heading>
  );
  if (onSubmit) {
    return (
      <form className={classes} onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
        {heading}
        {children}
      </form>
    );
  }
  return (
    <section className={classes} aria-labelledby={titleId}>
      {heading}
      {children}
    </section>
  );
}
