/** The API's reason for one field, shown under its input and tied to it by aria-describedby
 * (see Field). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}
