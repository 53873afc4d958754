// The lessons API for the app and the tools. Browser-safe: nothing here touches a file system
// (Node code reads files with ./node.ts and passes them to loadLessons).
export type * from './types.ts';
export { CODE_MARKS, CALLOUT_KINDS } from './types.ts';
export { loadLessons, loadLesson, normaliseLessonFiles, LESSON_SLUG } from './loader.ts';
export { allDiagnostics, formatDiagnostic } from './check.ts';
export {
  installLesson,
  startLesson,
  runCheck,
  runSolve,
  solveCommandForTerminal,
  parseCheckOutput,
  shellQuote,
  LessonSetupError,
  SHARE_DIR,
  GUEST_SHARE,
  type CheckResult,
  type CheckMessage,
} from './runner.ts';
export { testLesson, type LessonTestResult, type StepTestResult } from './lesson-test.ts';
