import { input, label as labelClass } from "../ui/styles";

/** What a control needs to be tied to its label, hint and error. */
export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  className: string;
}

/** A form control's look, with a refused field's border (the message beside it says why, not the colour alone). */
const controlClass = `${input} aria-invalid:border-rose-600 dark:aria-invalid:border-rose-400`;

/**
 * A labelled form field: the control (rendered by `children` with the props that tie it to
 * the label, the error and the hint), the server's refusal under it, then the hint.
 */
export function FormField({
  id,
  name,
  label,
  note,
  hint,
  error,
  children,
}: {
  id: string;
  name: string;
  label: string;
  /** Shown after the label, in normal weight. */
  note?: string;
  hint?: React.ReactNode;
  error?: string;
  children: (control: ControlProps) => React.ReactNode;
}) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
        {note && <span className="font-normal"> ({note})</span>}
      </label>
      {children({
        id,
        name,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": described,
        className: controlClass,
      })}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-rose-700 dark:text-rose-300">
          {error}
        </p>
      )}
      {hint && (
        <div id={`${id}-hint`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          {hint}
        </div>
      )}
    </div>
  );
}
