// Which parts of a snapshot the host asked for ("I <nonce> procs,cgroups,layers=<id>,net"): the
// inspector's views each need only some of them, and the process walk and the upper-dir walk
// are the expensive ones, so a refresh collects what the open view draws and nothing else.

export interface Parts {
  procs: boolean;
  cgroups: boolean;
  layers: boolean;
  /** The container (id prefix) whose upper dir the layers view lists; null: the first running one. */
  layersFocus: string | null;
  net: boolean;
}

/** What an "I" request without parts gets (what every agent before version 5 collected). */
export const DEFAULT_PARTS: Parts = { procs: true, cgroups: true, layers: false, layersFocus: null, net: false };

/** The parts field of a request; unknown names are ignored (a newer page asking an older agent). */
export function parseParts(text: string | null): Parts {
  if (text === null || text === '') return { ...DEFAULT_PARTS };
  const p: Parts = { procs: false, cgroups: false, layers: false, layersFocus: null, net: false };
  for (const tok of text.split(',')) {
    const eq = tok.indexOf('=');
    const name = eq < 0 ? tok : tok.slice(0, eq);
    if (name === 'procs') p.procs = true;
    else if (name === 'cgroups') p.cgroups = true;
    else if (name === 'net') p.net = true;
    else if (name === 'layers') {
      p.layers = true;
      const focus = eq < 0 ? '' : tok.slice(eq + 1);
      if (/^[0-9a-f]{1,64}$/.test(focus)) p.layersFocus = focus;
    }
  }
  return p;
}

/** The names of the parts collected, as the snapshot reports them. */
export function partNames(p: Parts): string[] {
  const out: string[] = [];
  if (p.procs) out.push('procs');
  if (p.cgroups) out.push('cgroups');
  if (p.layers) out.push('layers');
  if (p.net) out.push('net');
  return out;
}
