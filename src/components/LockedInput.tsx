"use client";

import { useRef } from "react";

interface Props {
  id: string;
  label: string;
  /** What is saved (masked for secrets); empty when nothing is saved. */
  savedValue: string;
  value: string;
  locked: boolean;
  secret?: boolean;
  error?: string;
  help?: string;
  onChange(value: string): void;
  onLockedChange(locked: boolean): void;
}

/**
 * A saved secret shows locked and masked; "Edit" unlocks it, "Cancel" restores it. The mask sent back keeps
 * the stored secret; left empty once unlocked, Save removes it. Anything else is a plain input.
 */
export function LockedInput({
  id,
  label,
  savedValue,
  value,
  locked,
  secret,
  error,
  help,
  onChange,
  onLockedChange,
}: Props) {
  const input = useRef<HTMLInputElement>(null);
  const hasSaved = secret === true && savedValue !== "";
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          ref={input}
          type={secret && !locked ? "password" : "text"}
          value={locked ? savedValue : value}
          readOnly={locked}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, help, error)}
          onChange={(e) => onChange(e.target.value)}
        />
        {hasSaved && (
          // Keyed: Edit and Cancel stay separate buttons (a click on one does not leave the other focused).
          <button
            key={locked ? "edit" : "cancel"}
            type="button"
            className="secondary"
            aria-label={locked ? `Edit ${label}` : `Cancel editing ${label}`}
            onClick={() => {
              onChange(locked ? "" : savedValue);
              onLockedChange(!locked);
              if (locked) setTimeout(() => input.current?.focus(), 0);
            }}
          >
            {locked ? "Edit" : "Cancel"}
          </button>
        )}
      </div>
      {hasSaved && !locked && value.trim() === "" && !error && (
        <p className="help" id={`${id}-remove`} data-testid={`${id}-remove`}>
          Left empty, Save removes the saved {label.toLowerCase()}. Cancel keeps it.
        </p>
      )}
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}

/** A field's help, or its error instead (the ids its aria-describedby names: describedBy). */
export function FieldNotes({ id, help, error }: { id: string; help?: string; error?: string }) {
  if (error)
    return (
      <p className="field-error" id={`${id}-error`}>
        {error}
      </p>
    );
  return help ? (
    <p className="help" id={`${id}-help`}>
      {help}
    </p>
  ) : null;
}

export const describedBy = (id: string, help?: string, error?: string) =>
  error ? `${id}-error` : help ? `${id}-help` : undefined;
