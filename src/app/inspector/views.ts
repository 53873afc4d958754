// The inspector's tabs, in order: Inspector.svelte draws them, App.svelte opens one when a lesson
// step asks (its ```inspect blocks name views from src/lessons/types.ts's INSPECT_VIEWS).
import type { InspectPart, InspectRequest } from '../../vm/inspect.ts';

export const INSPECTOR_TABS = [
  { id: 'processes', label: 'Processes and namespaces' },
  { id: 'cgroups', label: 'cgroups' },
  { id: 'layers', label: 'Layers' },
  { id: 'network', label: 'Network' },
  { id: 'chain', label: 'Engine chain' },
] as const;

export type InspectorViewId = (typeof INSPECTOR_TABS)[number]['id'];
export const INSPECTOR_VIEWS: readonly InspectorViewId[] = INSPECTOR_TABS.map((t) => t.id);

const VIEW_PARTS: Record<Exclude<InspectorViewId, 'chain'>, InspectPart[]> = { processes: ['procs'], cgroups: ['cgroups'], layers: ['layers'], network: ['net'] };

/**
 * What a view asks the guest for on each refresh (the process walk is most of a refresh, so a
 * view gets only its own part); null for the engine chain, which reads the trace instead.
 */
export function snapshotRequest(view: InspectorViewId, selected: string | null): InspectRequest | null {
  if (view === 'chain') return null;
  return { parts: VIEW_PARTS[view], layersFocus: view === 'layers' ? selected : null };
}
