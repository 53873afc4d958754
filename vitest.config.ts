import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import SlowestFirst from './test/setup/sequencer.ts';

// Tests mirror src/. End-to-end tests boot the real guest in v86, so they get long timeouts
// and at most two workers (this machine has two cores).
export default defineConfig({
  // Runes in src/app's stores (*.svelte.ts) compile for their unit tests.
  plugins: [svelte()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // installs the host tools some tests compare with, under CI=true (test/setup/host-tools.ts)
    globalSetup: ['test/setup/host-tools.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // the slowest files start first, so none runs on alone at the end (test/setup/sequencer.ts)
    sequence: { sequencer: SlowestFirst },
    maxWorkers: 2,
    reporters: ['default'],
  },
});
