// The current URL's route (see route.ts), kept in step with location.hash. Following a link or the
// Back button changes the hash and calls the listener; the app's own step moves replace the
// history entry instead of adding one, so Back goes to the previous page, not the previous step.
import { parseRoute, type Route } from './route.ts';

export class Router {
  route = $state.raw<Route>(parseRoute(location.hash));
  private listeners = new Set<(r: Route) => void>();

  constructor() {
    addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
      for (const l of this.listeners) l(this.route);
    });
  }

  /** Calls listener after each navigation (a link, Back, go()); returns an unsubscribe. */
  onChange(listener: (r: Route) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Navigates (a new history entry; the listeners run). */
  go(hash: string): void {
    if (location.hash === hash) return;
    location.hash = hash;
  }

  /** Shows hash in the address bar in place of the current entry (no listeners run). */
  replace(hash: string): void {
    if (location.hash === hash) return;
    history.replaceState(history.state, '', hash);
    this.route = parseRoute(hash);
  }
}
