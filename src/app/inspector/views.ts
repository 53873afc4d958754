// The inspector's tabs, in order: Inspector.svelte draws them, App.svelte opens one when a lesson
// step asks (its ```inspect blocks name views from src/lessons/types.ts's INSPECT_VIEWS).
export const INSPECTOR_TABS = [
  { id: 'processes', label: 'Processes and namespaces' },
  { id: 'cgroups', label: 'cgroups' },
  { id: 'layers', label: 'Layers' },
  { id: 'network', label: 'Network' },
  { id: 'chain', label: 'Engine chain' },
] as const;

export type InspectorViewId = (typeof INSPECTOR_TABS)[number]['id'];
export const INSPECTOR_VIEWS: readonly InspectorViewId[] = INSPECTOR_TABS.map((t) => t.id);
