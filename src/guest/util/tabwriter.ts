// Aligned columns like Go's text/tabwriter, which the Docker CLI uses for its tables
// (minwidth 10, tabwidth 1, padding 3, padchar ' ', no flags). A cell ends at a '\t'; the last
// cell of a line has no tab and takes no part in alignment. Columns are aligned per block of
// consecutive lines that have a tab-terminated cell in that column, as tabwriter does.

export interface TabWriterOptions {
  minWidth: number;
  padding: number;
}

export const DOCKER_TABLE: TabWriterOptions = { minWidth: 10, padding: 3 };

/** Width in characters (code points), as tabwriter counts UTF-8 runes. */
function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function formatTable(text: string, opts: TabWriterOptions = DOCKER_TABLE): string {
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map((cells) => new Array<number>(Math.max(cells.length - 1, 0)).fill(0));
  const fill = (start: number, end: number, col: number): void => {
    // lines [start, end) all have a terminated cell at col
    let w = opts.minWidth;
    for (let i = start; i < end; i++) {
      const cell = lines[i]![col]!;
      w = Math.max(w, textWidth(cell) + opts.padding);
    }
    for (let i = start; i < end; i++) widths[i]![col] = w;
    // nested columns: recurse on sub-blocks for the next column
    let i = start;
    while (i < end) {
      if (lines[i]!.length - 1 > col + 1) {
        let j = i;
        while (j < end && lines[j]!.length - 1 > col + 1) j++;
        fill(i, j, col + 1);
        i = j;
      } else i++;
    }
  };
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.length > 1) {
      let j = i;
      while (j < lines.length && lines[j]!.length > 1) j++;
      fill(i, j, 0);
      i = j;
    } else i++;
  }
  const out = lines.map((cells, li) =>
    cells.map((cell, ci) => (ci < cells.length - 1 ? cell + ' '.repeat(widths[li]![ci]! - textWidth(cell)) : cell)).join(''),
  );
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

/** Formats rows of cells (header first) as a Docker table, one line each. */
export function table(rows: readonly (readonly string[])[], opts: TabWriterOptions = DOCKER_TABLE): string {
  return formatTable(rows.map((r) => r.join('\t')).join('\n') + '\n', opts);
}
