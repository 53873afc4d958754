// The legacy builder's output (DOCKER_BUILDKIT=0), as dockerd streams it in {"stream": ...}
// messages: "Step 2/4 : RUN apt-get update", " ---> Running in <id>", the command's output,
// " ---> Removed intermediate container <id>", " ---> <image id>", and at the end
// "Successfully built <id>" and "Successfully tagged <name>".

import type { BuildEvent } from '../executor/events.ts';

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export class LegacyWriter {
  constructor(private out: (text: string) => void) {}

  event(e: BuildEvent): void {
    switch (e.kind) {
      case 'step':
        this.out(`Step ${e.step.legacyIndex}/${e.step.legacyTotal} : ${e.step.text}\n`);
        return;
      case 'pull':
        this.out(`${e.text}\n`);
        return;
      case 'cached':
        this.out(' ---> Using cache\n');
        return;
      case 'container':
        this.out(` ---> Running in ${short(e.id)}\n`);
        return;
      case 'output':
        this.out(e.text);
        return;
      case 'removed':
        this.out(` ---> Removed intermediate container ${short(e.id)}\n`);
        return;
      case 'image':
        this.out(` ---> ${short(e.id)}\n`);
        return;
      case 'warning':
        this.out(`${e.text}\n`);
        return;
      default:
        return;
    }
  }

  finished(id: string, tags: string[], unusedArgs: string[]): void {
    if (unusedArgs.length) this.out(`[Warning] One or more build-args [${unusedArgs.join(' ')}] were not consumed\n`);
    this.out(`Successfully built ${short(id)}\n`);
    for (const t of tags) this.out(`Successfully tagged ${t}\n`);
  }
}
