// Kernel config fragments: parse "CONFIG_X=y" / "# CONFIG_X is not set" lines and check that a
// finished .config kept every option the fragment asked for. Kconfig silently drops options whose
// dependencies are unmet, so a build without this check can lose a feature without a word.

/** Option name -> requested value; null means "is not set". */
export type KconfigOptions = Map<string, string | null>;

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

export function parseKconfig(text: string, source = 'config'): KconfigOptions {
  const out: KconfigOptions = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const set = SET.exec(line);
    const unset = UNSET.exec(line);
    if (set?.[1] !== undefined) out.set(set[1], set[2] ?? '');
    else if (unset?.[1] !== undefined) out.set(unset[1], null);
    else if (!line.startsWith('#')) throw new Error(`${source}:${i + 1}: not a kconfig line: ${line}`);
  });
  return out;
}

export interface DroppedOption {
  name: string;
  wanted: string | null;
  got: string | null;
}

/** Options of the fragment whose value differs in the final config (absent counts as "not set"). */
export function droppedOptions(fragment: KconfigOptions, final: KconfigOptions): DroppedOption[] {
  const dropped: DroppedOption[] = [];
  for (const [name, wanted] of fragment) {
    const got = final.get(name) ?? null;
    if (got !== wanted) dropped.push({ name, wanted, got });
  }
  return dropped;
}

export function describeDropped(d: DroppedOption): string {
  const show = (v: string | null) => (v === null ? 'not set' : v);
  return `${d.name}: wanted ${show(d.wanted)}, got ${show(d.got)}`;
}
