// The shape of a loaded lesson, shared by the app (browser), the lesson tools and the tests (Node).
// Everything here is plain data: no functions, no file system handles, safe to send over comlink.

/** A problem found in a lesson's files, pointing at the file (relative to lessons/) and line. */
export interface Diagnostic {
  /** Path relative to the lessons folder, e.g. "02-namespaces/03-pid.md". */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
}

/** What a fenced code block's button does in the terminal. */
export type CodeMark =
  /** Types the command into the terminal and presses Enter. */
  | 'run'
  /** Presses Ctrl-C first (stopping whatever runs), then types the command and presses Enter. */
  | 'run-interrupt'
  /** Types the command without pressing Enter, so the learner can finish or read it first. */
  | 'type'
  /** Copies the text to the clipboard. */
  | 'copy';

export const CODE_MARKS: readonly CodeMark[] = ['run', 'run-interrupt', 'type', 'copy'];

export type CalloutKind = 'note' | 'tip' | 'important' | 'warning' | 'caution';
export const CALLOUT_KINDS: readonly CalloutKind[] = ['note', 'tip', 'important', 'warning', 'caution'];

export interface QuizChoice {
  /** Markdown (inline). */
  text: string;
  correct: boolean;
  /** Shown after the learner picks this choice (markdown). */
  explain?: string;
}

export interface Quiz {
  /** Markdown. */
  question: string;
  choices: QuizChoice[];
  /** True when more than one choice is correct (the app shows checkboxes instead of radio buttons). */
  multiple: boolean;
}

export interface Callout {
  kind: CalloutKind;
  /** Optional title written after the marker: `> [!TIP] A title`. */
  title?: string;
  /** Markdown, without the leading `> `. */
  markdown: string;
}

/**
 * The inspector's views a step can show beside its text (```inspect VIEW): processes and their
 * namespaces, cgroups, an overlay's layers, the network, the engine chain of a docker command.
 */
export type InspectView = 'processes' | 'cgroups' | 'layers' | 'network' | 'chain';
export const INSPECT_VIEWS: readonly InspectView[] = ['processes', 'cgroups', 'layers', 'network', 'chain'];
/** Other names authors may write: `inspect namespaces` is the processes view. */
export const INSPECT_VIEW_ALIASES: Readonly<Record<string, InspectView>> = { namespaces: 'processes' };

/** A step or introduction body, split into the parts the app renders differently. */
export type Block =
  | { kind: 'markdown'; line: number; markdown: string }
  | { kind: 'code'; line: number; lang: string; mark: CodeMark | null; code: string }
  | { kind: 'quiz'; line: number; quiz: Quiz }
  | { kind: 'callout'; line: number; callout: Callout }
  /** A live inspector view; caption is markdown (the block's text, may be empty). */
  | { kind: 'inspect'; line: number; view: InspectView; caption: string };

export interface Script {
  /** Path relative to the lessons folder. */
  file: string;
  text: string;
}

export type CheckMode = 'auto' | 'button';

export interface Step {
  /** File name without ".md", e.g. "03-pid"; also the prefix of its check and solve scripts. */
  id: string;
  /** 1-based position in the lesson. */
  index: number;
  title: string;
  hints: string[];
  /** auto: the app runs the check in the background; button: only when the learner presses Check. */
  check: CheckMode;
  /** How long the check script may run before it is stopped and reported as hung. */
  checkTimeoutMs: number;
  /** The step's body as written (markdown without front matter). */
  markdown: string;
  blocks: Block[];
  checkScript: Script;
  solveScript: Script;
  /** Path of the step's markdown file relative to the lessons folder. */
  file: string;
}

export interface LessonEnvironment {
  /** The guest folder the terminal starts in and where files/ are copied. */
  workdir: string;
  /** Files (relative to workdir) opened in the editor when the lesson starts. */
  open: string[];
  /** Images (e.g. "alpine:3.19") that must be pulled before the first step. */
  images: string[];
  /** Run in the guest, in workdir, after files/ are copied and before the first step. */
  setup: Script | null;
  /** Guest memory in MiB the lesson needs (environment.memory); null: the default guest. */
  memoryMiB: number | null;
}

export interface Lesson {
  /** Folder name, e.g. "02-namespaces". */
  slug: string;
  /** The NN of the folder name. */
  number: number;
  title: string;
  summary: string;
  minutes: number;
  /** Slugs of lessons to do first. */
  prerequisites: string[];
  environment: LessonEnvironment;
  /** lesson.md's body. */
  intro: Block[];
  introMarkdown: string;
  steps: Step[];
  /** Start files copied into workdir: path relative to files/ -> content. */
  files: Record<string, string>;
  /** The finished state shown by Solve: path relative to solution/ -> content. */
  solution: Record<string, string>;
}

/** One lesson folder's outcome: the lesson when it could be built, and every problem found. */
export interface LessonEntry {
  slug: string;
  /** null when the lesson is too broken to show (the app shows `errors` to the author instead). */
  lesson: Lesson | null;
  errors: Diagnostic[];
}

export interface LessonSet {
  /** Sorted by folder name. */
  entries: LessonEntry[];
  /** Problems that belong to no lesson (e.g. a stray folder name). */
  errors: Diagnostic[];
}

/** Lesson sources: path relative to the lessons folder ("01-vms/lesson.md") -> file text. */
export type LessonFiles = Record<string, string>;
