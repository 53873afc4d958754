// Lesson starting states: the key that ties a state to the lesson it was made from, and, in the
// real guest, that restoring a lesson's state gives the same guest as running its set-up.
import { describe, expect, it } from 'vitest';
import { loadLessonsFromDisk } from '../../src/lessons/node.ts';
import { startLesson } from '../../src/lessons/runner.ts';
import { finishFromStartState, hasStartState, lessonStartKey } from '../../src/lessons/start-state.ts';
import type { Lesson } from '../../src/lessons/types.ts';
import type { VmCore } from '../../src/vm/core.ts';
import { createNodeVm } from '../../src/vm/node.ts';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const lessons = loadLessonsFromDisk().entries.flatMap((e) => (e.lesson ? [e.lesson] : []));
const lesson = (slug: string): Lesson => {
  const l = lessons.find((x) => x.slug === slug);
  if (!l) throw new Error(`no lesson ${slug}`);
  return l;
};

describe('lessonStartKey', () => {
  const base = lesson('09-networking');

  it('is the same for the same lesson, and differs when its set-up inputs do', async () => {
    const key = lessonStartKey(base);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(lessonStartKey(structuredClone(base))).toBe(key);
    const edited = (change: (l: Lesson) => void) => {
      const l = structuredClone(base);
      change(l);
      return lessonStartKey(l);
    };
    const setup = base.environment.setup;
    if (!setup) throw new Error('09-networking has a setup script');
    expect(edited((l) => (l.environment.setup = { ...setup, text: setup.text + '\necho more\n' }))).not.toBe(key);
    expect(edited((l) => (l.environment.images = [...l.environment.images, 'redis']))).not.toBe(key);
    expect(edited((l) => (l.environment.workdir = '/root/elsewhere'))).not.toBe(key);
    expect(edited((l) => (l.environment.memoryMiB = 512))).not.toBe(key);
    expect(edited((l) => (l.files = { ...l.files, 'new.txt': 'x' }))).not.toBe(key);
    // The steps' text and checks are installed again after a restore: editing them keeps the state.
    expect(edited((l) => (l.title = 'Another title'))).toBe(key);
  });

  it('names the lessons that have a set-up to save', () => {
    expect(hasStartState(lesson('09-networking'))).toBe(true);
    expect(hasStartState(lesson('07-dockerfile'))).toBe(true);
    expect(hasStartState(lesson('01-virtual-machines'))).toBe(false);
  });
});

/** What a learner can see of the lesson's starting state (times and ids of processes aside). */
async function fingerprint(vm: VmCore, l: Lesson): Promise<string> {
  const wd = l.environment.workdir;
  return sh(
    vm,
    [
      `docker ps -a --format '{{.Names}} {{.Image}} {{.Command}} {{.Ports}} {{.Networks}}' | sort`,
      // Running containers stay running: only the first word of the status is compared.
      `docker ps -a --format '{{.Names}} {{.Status}}' | cut -d' ' -f1,2 | sort`,
      `docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort`,
      'docker volume ls -q | sort',
      `docker network ls --format '{{.Name}} {{.Driver}}' | sort`,
      `cd ${wd} && find . | sort && find . -type f | sort | xargs -r md5sum`,
    ].join(' && echo --- && '),
  );
}

describe.skipIf(vmSkipReason())(guestSuite('lesson starting states in the guest'), () => {
  const g = useGuest();

  it('restoring 09-networking gives the guest its set-up gives, with nginx still answering', async () => {
    const l = lesson('09-networking');
    await startLesson(g.vm, l);
    const afterSetup = await fingerprint(g.vm, l);
    expect(afterSetup).toContain('web nginx');

    await sh(g.vm, 'docker rm -f web >/dev/null; echo learner-was-here >/root/marker');
    const restored = await g.vm.restoreLessonState(l.slug, lessonStartKey(l));
    // prepare builds a state for every lesson with a set-up: none here is a broken build.
    expect(restored, 'vm-images/dist has no usable state for 09-networking: run npx tsx scripts/prepare.ts').toEqual({ memoryMiB: 256 });
    await finishFromStartState(g.vm, l);
    expect(await fingerprint(g.vm, l)).toBe(afterSetup);
    expect((await g.vm.exec('cat /root/marker')).exitCode).not.toBe(0);
    // The container's process survived the save: its nginx answers on the bridge.
    expect(await sh(g.vm, `wget -qO- "http://$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)/" | grep -o 'Welcome to nginx' | head -1`)).toBe('Welcome to nginx\n');
    // The registry share reads again after the restore: a new container from a pulled image starts.
    expect(await sh(g.vm, 'docker run --rm busybox echo hello from a layer')).toBe('hello from a layer\n');
  });

  it("copies the learner's saved files over the start files after a restore", async () => {
    const l = lesson('08-volumes');
    expect(await g.vm.restoreLessonState(l.slug, lessonStartKey(l))).toEqual({ memoryMiB: 256 });
    await finishFromStartState(g.vm, l, { 'site/index.html': '<h1>mine</h1>\n' });
    expect(await sh(g.vm, `cat ${l.environment.workdir}/site/index.html`)).toBe('<h1>mine</h1>\n');
    // The set-up's container is there and running.
    expect(await sh(g.vm, 'docker exec diary cat /diary.txt | tail -1')).toContain('dear diary');
  });

  it('restores a bigger guest for a lesson that asks for one', async () => {
    const l = lesson('07-dockerfile');
    expect(await g.vm.restoreLessonState(l.slug, lessonStartKey(l))).toEqual({ memoryMiB: 512 });
    expect(g.vm.memorySize).toBe(512);
    const memTotalKiB = Number((await sh(g.vm, "sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo")).trim());
    expect(memTotalKiB).toBeGreaterThan(400 * 1024);
    expect(await sh(g.vm, "docker images --format '{{.Repository}}:{{.Tag}}' | sort")).toBe('busybox:latest\ndebian:bookworm-slim\n');
  });

  it('leaves the guest alone when the state was made from another version of the lesson', async () => {
    await sh(g.vm, 'echo kept >/root/marker');
    expect(await g.vm.restoreLessonState('08-volumes', '0'.repeat(24))).toBeNull();
    expect(await g.vm.restoreLessonState('01-virtual-machines', lessonStartKey(lesson('01-virtual-machines')))).toBeNull();
    expect(await sh(g.vm, 'cat /root/marker')).toBe('kept\n');
  });
});

describe.skipIf(vmSkipReason())(guestSuite('booting into a lesson state'), () => {
  it('boots straight into a lesson state that matches, and from the boot snapshot when none does', async () => {
    const l = lesson('08-volumes');
    const vm = createNodeVm();
    try {
      await vm.boot({ lessonState: { slug: l.slug, key: lessonStartKey(l) } });
      expect(vm.lastBoot).toMatchObject({ mode: 'snapshot', lessonState: { slug: l.slug } });
      expect(await sh(vm, `docker ps --format '{{.Names}}'`)).toBe('diary\n');
      await vm.destroy();
      await vm.boot({ lessonState: { slug: l.slug, key: 'f'.repeat(24) } });
      expect(vm.lastBoot?.mode).toBe('snapshot');
      expect(vm.lastBoot?.lessonState).toBeUndefined();
      expect(await sh(vm, 'docker ps -a -q | wc -l')).toBe('0\n');
    } finally {
      await vm.destroy();
    }
  });
});
