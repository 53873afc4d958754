// Host side of the engine chain trace (the guest agent's side: src/guest/agent/chain.ts): the
// app's "Engine chain" view turns the runtime's trace on while it is open and polls for new lines.
import type { ChainOp } from './protocol.ts';

export type { ChainOp };

export interface ChainTraceAnswer {
  /** Whether tracing is on in the guest (the switch file is there). */
  on: boolean;
  /** Trace lines written since the last read (whole lines; src/guest/sys/trace.ts's format). */
  text: string;
}

export class ChainTraceError extends Error {
  override name = 'ChainTraceError';
}

/** Checks the agent's J line. */
export function decodeChainAnswer(text: string): ChainTraceAnswer {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ChainTraceError(`the chain trace answer is not JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 80))}`);
  }
  const a = v as Partial<ChainTraceAnswer> | null;
  if (!a || typeof a !== 'object' || typeof a.on !== 'boolean' || typeof a.text !== 'string') {
    throw new ChainTraceError(`the chain trace answer has the wrong shape: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { on: a.on, text: a.text };
}
