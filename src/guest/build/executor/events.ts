// What a build reports while it runs, independent of how it is shown: the daemon turns these into
// the legacy builder's text ({"stream": "Step 1/4 : ..."}) or into BuildKit-style vertex updates
// that the CLI draws (progress.ts).

export interface StepInfo {
  /** Legacy numbering over every instruction of every stage: Step 3/7. */
  legacyIndex: number;
  legacyTotal: number;
  /** The instruction as written (continuations joined). */
  text: string;
  /** BuildKit's vertex name ("[2/3] RUN apt-get update"), or null for instructions BuildKit does not show (ENV, LABEL...). */
  vertex: string | null;
  /** First Dockerfile line of the instruction. */
  line: number;
}

export type BuildEvent =
  | { kind: 'internal'; name: string; detail?: string; done: boolean }
  | { kind: 'step'; step: StepInfo }
  | { kind: 'pull'; text: string }
  | { kind: 'cached' }
  | { kind: 'container'; id: string }
  | { kind: 'output'; text: string }
  | { kind: 'removed'; id: string }
  | { kind: 'image'; id: string }
  | { kind: 'step-done' }
  | { kind: 'warning'; text: string }
  | { kind: 'export'; phase: 'start' | 'layers' | 'image' | 'naming' | 'done'; detail?: string };

/** A failed build: BuildKit's message, the legacy builder's, the lines it is about, an exit code. */
export class BuildError extends Error {
  override name = 'BuildError';
  constructor(
    message: string,
    readonly legacy: string,
    readonly range: { start: number; end: number } | null,
    /** The legacy builder ends the client with this code (a RUN's exit status); BuildKit with 1. */
    readonly code = 1,
  ) {
    super(message);
  }
}
