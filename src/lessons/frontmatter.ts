// Splits a markdown file into its YAML front matter and body, keeping line numbers so every
// problem can be reported as file:line.

export interface FrontMatterSplit {
  /** The YAML between the --- fences ("" when the file has none). */
  yaml: string;
  /** 1-based line of the YAML's first line in the file. */
  yamlLine: number;
  /** True when the file starts with a --- fence. */
  hasFrontMatter: boolean;
  /** An unterminated fence is reported by the caller. */
  unterminated: boolean;
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
}

export function splitFrontMatter(text: string): FrontMatterSplit {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trimEnd() !== '---')
    return { yaml: '', yamlLine: 1, hasFrontMatter: false, unterminated: false, body: lines.join('\n'), bodyLine: 1 };
  const end = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (end < 0)
    return { yaml: lines.slice(1).join('\n'), yamlLine: 2, hasFrontMatter: true, unterminated: true, body: '', bodyLine: lines.length + 1 };
  return {
    yaml: lines.slice(1, end).join('\n'),
    yamlLine: 2,
    hasFrontMatter: true,
    unterminated: false,
    body: lines.slice(end + 1).join('\n'),
    bodyLine: end + 2,
  };
}
