/**
 * A light rich-text editor for chart notes: a contenteditable area with bold, italic,
 * headings and lists. It is loaded in its own chunk (React.lazy) so screens without notes
 * never download it. The API cleans every body to its HTML allow-list; this editor only
 * produces tags from that list.
 */
import { useEffect, useId, useRef } from "react";

interface Props {
  /** Visible label of the text area. */
  label: string;
  value: string;
  onChange: (html: string) => void;
  /** Id of the element describing an error for this field, when there is one. */
  errorId?: string;
  invalid?: boolean;
  placeholder?: string;
}

type Command =
  | { name: "bold" | "italic" | "insertUnorderedList" | "insertOrderedList"; label: string; text: string }
  | { name: "formatBlock"; value: string; label: string; text: string };

const COMMANDS: Command[] = [
  { name: "bold", label: "Bold", text: "B" },
  { name: "italic", label: "Italic", text: "I" },
  { name: "formatBlock", value: "h3", label: "Heading", text: "H" },
  { name: "formatBlock", value: "p", label: "Paragraph", text: "¶" },
  { name: "insertUnorderedList", label: "Bulleted list", text: "•" },
  { name: "insertOrderedList", label: "Numbered list", text: "1." },
];

// execCommand is the one formatting primitive every browser's contenteditable shares; it is
// marked deprecated without a replacement, so it is reached through this narrow type.
type ExecCommand = (command: string, showUi?: boolean, value?: string) => boolean;

function run(command: Command): void {
  const exec = (document as unknown as { execCommand: ExecCommand }).execCommand.bind(document);
  if (command.name === "formatBlock") exec("formatBlock", false, command.value);
  else exec(command.name, false);
}

export default function RichTextEditor({ label, value, onChange, errorId, invalid, placeholder }: Props) {
  const area = useRef<HTMLDivElement>(null);
  const labelId = useId();

  // The area is uncontrolled while typing; a value from outside (loaded note, reset) replaces it.
  useEffect(() => {
    const el = area.current;
    if (el && el.innerHTML !== value) el.innerHTML = value;
  }, [value]);

  return (
    <div className="rte">
      <span id={labelId} className="rte-label">
        {label}
      </span>
      <div role="toolbar" aria-label={`${label} formatting`} className="rte-toolbar">
        {COMMANDS.map((command) => (
          <button
            key={command.label}
            type="button"
            title={command.label}
            onMouseDown={(event) => {
              // keep the selection in the text area
              event.preventDefault();
            }}
            onClick={() => {
              area.current?.focus();
              run(command);
              if (area.current) onChange(area.current.innerHTML);
            }}
          >
            <span aria-hidden="true">{command.text}</span>
            <span className="visually-hidden">{command.label}</span>
          </button>
        ))}
      </div>
      <div
        ref={area}
        className="rte-area"
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        tabIndex={0}
        aria-multiline="true"
        aria-labelledby={labelId}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={errorId}
        data-placeholder={placeholder}
        onInput={(event) => {
          onChange(event.currentTarget.innerHTML);
        }}
      />
    </div>
  );
}
