// Monaco, loaded on demand (dynamic import from Editor.svelte) so it stays out of the first paint.
// Its web workers are bundled by Vite (?worker); JSON gets its language worker, the rest the base one.
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
};

export { monaco };
