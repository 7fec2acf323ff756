/** Files the browser builds and saves: CSV text from rows, and the save itself. */

type Cell = string | number | null | undefined;

/** CSV text from rows (RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet
 * never runs it as a formula). */
export function toCsv(header: string[], rows: Cell[][]): string {
  const cell = (v: Cell) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** A CSV column: its header and the value of a row. */
export type CsvColumn<Row> = { header: string; value: (row: Row) => Cell };

/** CSV text of rows by columns. */
export function csvOf<Row>(columns: CsvColumn<Row>[], rows: Row[]): string {
  return toCsv(
    columns.map((c) => c.header),
    rows.map((row) => columns.map((c) => c.value(row))),
  );
}

/** Saves a blob under a file name (a temporary link the browser follows). */
export function saveFile(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
