// Stage 3 of a build: the instructions, run. Each stage starts from its base image (pulled if
// needed) or an earlier stage; metadata instructions change the image config; RUN runs in a real
// container of our runtime whose changes are committed as a layer; COPY and ADD build a layer
// from the context (or another stage); every step's result is an image, found again in the
// cache when its key (cachekey.ts) matches. What happens is reported as BuildEvents.

import type { Syscalls } from '../../sys/syscalls.ts';
import type { ImageConfig } from '../../images/oci.ts';
import { removeAll } from '../../util/fsutil.ts';
import { utf8Decode } from '../../util/text.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { findStage, parseInstruction, targetStage, toStages, type CopyInstruction, type Dockerfile, type FromInstruction, type Instruction, type RunInstruction, type Stage } from '../dockerfile/instructions.ts';
import { parseDockerfile, type Node } from '../dockerfile/parser.ts';
import type { BuildBackend, ImageInfo, NewLayer } from './backend.ts';
import { baseKey, cacheKey } from './cachekey.ts';
import { checksumSources, cleanRel, copyIntoTree, jsFileHash, matchSources, mkdirInTree, resolveChown, writeInline, type CopyPlan } from './copy.ts';
import { BuildError, type BuildEvent, type StepInfo } from './events.ts';
import {
  applyMetadata, argvOf, cloneImage, emptyImage, expandFrom, expandWord, expansionEnv, globalArgs, history, runArgs, runEnv, runHistory, shellOf, stageStart,
  type StageState,
} from './state.ts';

export interface BuildOptions {
  dockerfileText: string;
  /** As the user named it (-f), for messages. */
  dockerfileName: string;
  contextDir: string;
  buildArgs: ReadonlyMap<string, string>;
  target: string | null;
  noCache: boolean;
  pull: boolean;
  labels: Record<string, string>;
  /** --network: default, none, host. */
  network: string;
  tags: string[];
  /** The context folder is a copy made for this build (files may be hard-linked out of it). */
  contextIsScratch?: boolean;
}

export interface BuildResult {
  id: string;
  tags: string[];
  /** Build args given but never declared (the legacy builder warns about them). */
  unusedArgs: string[];
}

const FS_KINDS = new Set(['run', 'copy', 'add', 'workdir']);

const range = (n: { startLine: number; endLine: number }): { start: number; end: number } => ({ start: n.startLine, end: n.endLine });

/** A DockerfileError as the two front ends word it. */
export function toBuildError(e: DockerfileError): BuildError {
  return new BuildError(e.message, e.legacyMessage(), e.range);
}

/** The Dockerfile read into stages, or a BuildError pointing at its line. */
export function readBuildFile(text: string): Dockerfile {
  try {
    return toStages(parseDockerfile(text));
  } catch (e) {
    if (e instanceof DockerfileError) throw toBuildError(e);
    throw e;
  }
}

function canonicalName(name: string): string {
  if (name.includes('@')) return name;
  const [repoPart, tag] = splitTag(name);
  const first = repoPart.split('/')[0]!;
  const hasRegistry = repoPart.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repo = hasRegistry ? repoPart : repoPart.includes('/') ? `docker.io/${repoPart}` : `docker.io/library/${repoPart}`;
  return `${repo}:${tag}`;
}

function splitTag(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest'];
}

export class Executor {
  private fileHash: (path: string) => string;
  private usedArgs = new Set<string>();

  constructor(
    private sys: Syscalls,
    private backend: BuildBackend,
    private emit: (e: BuildEvent) => void,
  ) {
    const s = sys as Syscalls & { sha256File?: (p: string) => string };
    this.fileHash = typeof s.sha256File === 'function' ? (p) => s.sha256File!(p) : (p) => jsFileHash(sys, p);
  }

  /**
   * Builds. Every async method here starts with `await null`: QuickJS's std loop ends the process
   * on a promise rejected before a handler is attached, which an async function that throws before
   * its first await produces; after an await, the caller's handler is already there. For the same
   * reason a promise from another async method is awaited, never returned as it is (adopting it
   * takes a job, during which its rejection has no handler).
   */
  async build(o: BuildOptions): Promise<BuildResult> {
    await null;
    this.emit({ kind: 'internal', name: `[internal] load build definition from ${o.dockerfileName}`, detail: `transferring dockerfile: ${o.dockerfileText.length}B`, done: true });
    const df = readBuildFile(o.dockerfileText);
    const escape = df.parsed.directives.escape;
    for (const w of df.parsed.warnings) this.emit({ kind: 'warning', text: `[WARNING]: ${w.message}` });
    let target: Stage;
    try {
      target = targetStage(df, o.target);
    } catch (e) {
      if (e instanceof DockerfileError) throw new BuildError(e.detail, `failed to reach build target ${o.target} in Dockerfile`, null);
      throw e;
    }
    const globals = globalArgs(df.metaArgs, o.buildArgs, escape);
    for (const m of df.metaArgs) for (const a of m.args) this.usedArgs.add(a.name);
    const stages = df.stages.slice(0, target.index + 1);
    if (Object.keys(o.labels).length > 0) {
      const text = `LABEL ${Object.entries(o.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
      const node = syntheticNode(text, target.instructions[target.instructions.length - 1]?.node ?? target.from.node);
      target.instructions.push(parseInstruction(node) as Instruction);
    }
    const legacyTotal = stages.reduce((n, s) => n + 1 + s.instructions.length, 0);
    let legacyIndex = 0;
    const results = new Map<number, { image: ImageInfo; key: string }>();
    const baseNames = new Set<string>();
    for (const s of stages) {
      const name = expandFrom(s.from.image, globals, escape, s.from);
      if (!findStage(df, name, s.index) && name.toLowerCase() !== 'scratch') baseNames.add(name);
    }
    for (const n of baseNames) this.emit({ kind: 'internal', name: `[internal] load metadata for ${canonicalName(n)}`, done: true });
    this.emit({ kind: 'internal', name: '[internal] load .dockerignore', detail: 'transferring context: 2B', done: true });

    let finalImage: ImageInfo | null = null;
    for (const stage of stages) {
      const multi = df.stages.length > 1;
      const label = multi ? (stage.from.name ?? `stage-${stage.index}`) : '';
      const fsTotal = 1 + stage.instructions.filter((i) => FS_KINDS.has(i.kind)).length;
      let fsIndex = 1;
      const vertex = (text: string, i: number): string => `[${label ? `${label} ` : ''}${i}/${fsTotal}] ${text}`;

      // ---- FROM ----
      const fromName = expandFrom(stage.from.image, globals, escape, stage.from);
      const dep = findStage(df, fromName, stage.index);
      legacyIndex++;
      this.emit({ kind: 'step', step: { legacyIndex, legacyTotal, text: stage.from.node.original.trim(), vertex: dep ? null : vertex(`FROM ${fromName.toLowerCase() === 'scratch' ? 'scratch' : canonicalName(fromName)}`, 1), line: stage.from.node.startLine } });
      let base: ImageInfo;
      let key: string;
      if (dep) {
        const r = results.get(dep.index);
        if (!r) throw new BuildError(`stage ${fromName} was not built`, `stage ${fromName} was not built`, range(stage.from.node));
        base = r.image;
        key = r.key;
      } else if (fromName.toLowerCase() === 'scratch') {
        base = { id: '', config: emptyImage() };
        key = baseKey(null);
      } else {
        base = this.pullBase(fromName, o.pull, stage.from);
        key = baseKey(base.id);
      }
      if (base.id) this.emit({ kind: 'image', id: base.id });
      this.emit({ kind: 'step-done' });
      let state = stageStart(base.config, o.buildArgs, globals, escape);
      let current = base;

      const instructions = [...this.triggers(base.config, stage.from), ...stage.instructions];
      if (instructions.length > stage.instructions.length) {
        // triggers run once: the new image does not carry them on
        if (state.image.config) state.image.config.OnBuild = null;
      }
      for (const ins of instructions) {
        legacyIndex++;
        const isFs = FS_KINDS.has(ins.kind);
        if (isFs) fsIndex++;
        const step: StepInfo = { legacyIndex, legacyTotal, text: ins.node.original.trim(), vertex: isFs ? vertex(ins.node.original.trim(), fsIndex) : null, line: ins.node.startLine };
        this.emit({ kind: 'step', step });
        if (ins.kind === 'arg') for (const a of ins.args) this.usedArgs.add(a.name);
        try {
          const r = await this.step(o, df, results, stage, ins, state, current, key);
          state = r.state;
          current = r.image;
          key = r.key;
        } catch (e) {
          if (e instanceof DockerfileError) throw new BuildError(e.parse ? e.message : e.detail, e.parse ? e.legacyMessage() : e.detail, e.range ?? range(ins.node));
          if (e instanceof BuildError) throw e.range ? e : new BuildError(e.message, e.legacy, range(ins.node), e.code);
          throw new BuildError((e as Error).message, (e as Error).message, range(ins.node));
        }
        this.emit({ kind: 'image', id: current.id });
        this.emit({ kind: 'step-done' });
      }
      if (!current.id) {
        // FROM scratch with nothing after it still makes an image
        current = { id: this.backend.createImage(this.stamp(state.image), null, []), config: state.image };
      }
      results.set(stage.index, { image: current, key });
      finalImage = current;
    }
    const img = finalImage!;
    this.emit({ kind: 'export', phase: 'start' });
    this.emit({ kind: 'export', phase: 'layers' });
    this.emit({ kind: 'export', phase: 'image', detail: img.id });
    for (const t of o.tags) {
      this.backend.tag(img.id, t);
      this.emit({ kind: 'export', phase: 'naming', detail: canonicalName(t) });
    }
    this.emit({ kind: 'export', phase: 'done' });
    const unusedArgs = [...o.buildArgs.keys()].filter((k) => !this.usedArgs.has(k) && !/^(HTTPS?|FTP|NO|ALL)_PROXY$/i.test(k));
    return { id: img.id, tags: o.tags, unusedArgs };
  }

  private stamp(image: ImageConfig): ImageConfig {
    const c = cloneImage(image);
    c.created = this.backend.now();
    return c;
  }

  private pullBase(name: string, pull: boolean, from: FromInstruction): ImageInfo {
    try {
      return this.backend.baseImage(name, pull, (line) => this.emit({ kind: 'pull', text: line }));
    } catch (e) {
      const msg = (e as Error).message;
      const repo = splitTag(name)[0].replace(/^(docker\.io\/)?(library\/)?/, '');
      let hint = '';
      if (/^(ubuntu|debian)$/.test(repo)) hint = `. Use FROM debian:bookworm-slim: it has the same apt-get commands (apt-get update, apt-get install -y ...)`;
      const have = this.backend.available();
      if (!/has: /.test(msg) && have.length) hint += `. Images here: ${have.join(', ')}`;
      throw new BuildError(`failed to resolve source metadata for ${canonicalName(name)}: ${msg}${hint}`, `${msg}${hint}`, range(from.node));
    }
  }

  /** The base image's ONBUILD triggers as instructions, reported at the FROM line. */
  private triggers(base: ImageConfig, from: FromInstruction): Instruction[] {
    const out: Instruction[] = [];
    for (const t of base.config?.OnBuild ?? []) {
      const node = syntheticNode(t, from.node);
      const ins = parseInstruction(node);
      if (ins.kind === 'from') continue;
      out.push(ins);
    }
    return out;
  }

  /** One instruction: returns the new state, the image it gives and its cache key. */
  private async step(o: BuildOptions, df: Dockerfile, results: Map<number, { image: ImageInfo; key: string }>, stage: Stage, ins: Instruction, state: StageState, current: ImageInfo, parentKey: string): Promise<{ state: StageState; image: ImageInfo; key: string }> {
    await null;
    if (ins.kind === 'run') return await this.run(o, ins, state, current, parentKey);
    if (ins.kind === 'copy' || ins.kind === 'add') return await this.copy(o, df, results, stage, ins, state, current, parentKey);
    // metadata (and WORKDIR, which also makes its directory)
    const effect = applyMetadata(state, ins);
    const inputs: Record<string, string> = {};
    if (ins.kind === 'arg') for (const a of ins.args) inputs[`arg:${a.name}`] = effect.state.args.get(a.name) ?? '\0unset';
    const key = cacheKey({ parent: parentKey, instruction: ins.node.original, inputs });
    const cached = this.cached(o, key);
    if (cached) {
      this.emit({ kind: 'cached' });
      return { state: { ...effect.state, image: cached.config }, image: cached, key };
    }
    const image = effect.state.image;
    image.history = [...(image.history ?? []), history(effect.createdBy, this.backend.now(), true)];
    const layers: NewLayer[] = [];
    if (ins.kind === 'workdir' && current.id && !this.hasDir(current, image.config?.WorkingDir ?? '/')) {
      const tree = this.backend.scratch();
      try {
        const view = this.backend.view(current);
        try {
          mkdirInTree(this.sys, tree, view.root, image.config!.WorkingDir!);
        } finally {
          view.release();
        }
        layers.push(this.backend.commitTree(tree));
        image.rootfs.diff_ids = [...image.rootfs.diff_ids, layers[0]!.diffId];
        delete image.history[image.history.length - 1]!.empty_layer;
      } finally {
        removeAll(this.sys, tree);
      }
    }
    const stamped = this.stamp(image);
    const id = this.backend.createImage(stamped, current.id || null, layers);
    this.backend.cachePut(key, id);
    return { state: { ...effect.state, image: stamped }, image: { id, config: stamped }, key };
  }

  private hasDir(img: ImageInfo, dir: string): boolean {
    const view = this.backend.view(img);
    try {
      return this.sys.statOrNull(`${view.root}${dir}`) !== null;
    } finally {
      view.release();
    }
  }

  private cached(o: BuildOptions, key: string): ImageInfo | null {
    if (o.noCache) return null;
    const id = this.backend.cacheGet(key);
    return id ? this.backend.image(id) : null;
  }

  private async run(o: BuildOptions, ins: RunInstruction, state: StageState, current: ImageInfo, parentKey: string): Promise<{ state: StageState; image: ImageInfo; key: string }> {
    await null;
    let argv = argvOf(state, ins.command);
    if (ins.heredocs.length > 0 && ins.command.shell) {
      const cmd = ins.command.args.join(' ').trim();
      if (ins.heredocs.length === 1 && /^\d*<<-?\S+$/.test(cmd)) argv = [...shellOf(state), ins.heredocs[0]!.content];
      else argv = [...shellOf(state), `${cmd}\n${ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`];
    }
    const args = runArgs(state);
    const network = ins.network ?? o.network;
    const key = cacheKey({ parent: parentKey, instruction: ins.node.original, inputs: { args: args.join('\n'), heredocs: ins.heredocs.map((h) => h.content).join('\0'), network } });
    const cached = this.cached(o, key);
    if (cached) {
      this.emit({ kind: 'cached' });
      return { state: { ...state, image: cached.config }, image: cached, key };
    }
    let base = current;
    if (!base.id) base = { id: this.backend.createImage(this.stamp(state.image), null, []), config: state.image };
    const body = state.image.config ?? {};
    let containerId = '';
    const res = await this.backend.run(
      { image: base.id, argv, env: runEnv(state), user: body.User ?? '', workdir: body.WorkingDir || '/', network: network === 'default' ? 'default' : network },
      (id) => {
        containerId = id;
        this.emit({ kind: 'container', id });
      },
      (text) => this.emit({ kind: 'output', text }),
    );
    containerId = res.containerId;
    try {
      if (res.exitCode !== 0) {
        const shown = ins.command.shell ? argv.join(' ') : JSON.stringify(argv);
        throw new BuildError(
          `process "${shown}" did not complete successfully: exit code: ${res.exitCode}`,
          `The command '${shown}' returned a non-zero code: ${res.exitCode}`,
          range(ins.node),
          res.exitCode,
        );
      }
      const layer = this.backend.commitContainer(containerId);
      const image = cloneImage(state.image);
      image.rootfs.diff_ids = [...image.rootfs.diff_ids, layer.diffId];
      image.history = [...(image.history ?? []), history(runHistory(state, argv, ins.command.shell), this.backend.now(), false)];
      const stamped = this.stamp(image);
      const id = this.backend.createImage(stamped, base.id, [layer]);
      this.backend.cachePut(key, id);
      return { state: { ...state, image: stamped }, image: { id, config: stamped }, key };
    } finally {
      this.backend.removeContainer(containerId);
      this.emit({ kind: 'removed', id: containerId });
    }
  }

  private async copy(
    o: BuildOptions, df: Dockerfile, results: Map<number, { image: ImageInfo; key: string }>, stage: Stage, ins: CopyInstruction, state: StageState, current: ImageInfo, parentKey: string,
  ): Promise<{ state: StageState; image: ImageInfo; key: string }> {
    await null;
    const env = expansionEnv(state);
    const word = (w: string): string => expandWord(state, w, ins, env);
    const heredocNames = new Set(ins.heredocs.map((h) => h.name));
    const isHeredocSource = (s: string): boolean => /^\d*<<-?/.test(s) && heredocNames.has(s.replace(/^\d*<<-?/, '').replace(/^["']|["']$/g, ''));
    const sources = ins.sources.filter((s) => !isHeredocSource(s)).map(word);
    const destRaw = word(ins.dest);
    const workdir = state.image.config?.WorkingDir || '/';
    let dest = destRaw.startsWith('/') ? destRaw : `${workdir.replace(/\/$/, '')}/${destRaw}`;
    const trailingSlash = destRaw.endsWith('/') || destRaw === '.' || destRaw.endsWith('/.');
    dest = `/${cleanRel(dest)}`;

    for (const s of sources) {
      if (ins.kind === 'add' && /^(https?|ftp):\/\//i.test(s)) {
        const host = s.replace(/^[a-z]+:\/\//i, '').split(/[/:]/)[0];
        throw new BuildError(
          `failed to load cache key: Get "${s}": dial tcp: lookup ${host}: no such host (this playground has no internet access: put the file in the build context and COPY it)`,
          `ADD failed: Get "${s}": dial tcp: lookup ${host}: no such host (this playground has no internet access: put the file in the build context and COPY it)`,
          range(ins.node),
        );
      }
    }
    // where the files come from: the context, an earlier stage, or an image
    let root = o.contextDir;
    let fromImage: ImageInfo | null = null;
    let release: (() => void) | null = null;
    if (ins.from !== null) {
      const fromName = word(ins.from);
      const st = findStage(df, fromName, stage.index);
      if (st) fromImage = results.get(st.index)?.image ?? null;
      else fromImage = this.pullBase(fromName, false, stage.from);
      if (!fromImage) throw new BuildError(`stage ${fromName} was not built`, `stage ${fromName} was not built`, range(ins.node));
      const view = this.backend.view(fromImage);
      root = view.root;
      release = () => view.release();
    }
    try {
      const matched: string[] = [];
      for (const s of sources) {
        const m = matchSources(this.sys, root, s);
        if (m.length === 0) {
          const rel = `/${cleanRel(s)}`;
          throw new BuildError(
            `failed to compute cache key: failed to calculate checksum of ref: "${rel}": not found`,
            `${ins.kind.toUpperCase()} failed: file not found in build context or excluded by .dockerignore: stat ${cleanRel(s) || '.'}: file does not exist`,
            range(ins.node),
          );
        }
        matched.push(...m);
      }
      const count = matched.length + ins.heredocs.length;
      if (count > 1 && !trailingSlash && !this.imageHasDir(current, dest)) {
        throw new BuildError(
          `When using ${ins.kind.toUpperCase()} with more than one source file, the destination must be a directory and end with a /`,
          `When using ${ins.kind.toUpperCase()} with more than one source file, the destination must be a directory and end with a /`,
          range(ins.node),
        );
      }
      const checksum = checksumSources(this.sys, root, matched, this.fileHash);
      const inputs: Record<string, string> = { files: checksum, dest, from: fromImage?.id ?? '', heredocs: ins.heredocs.map((h) => (h.expand ? word(h.content) : h.content)).join('\0') };
      const key = cacheKey({ parent: parentKey, instruction: ins.node.original, inputs });
      const cached = this.cached(o, key);
      if (cached) {
        this.emit({ kind: 'cached' });
        return { state: { ...state, image: cached.config }, image: cached, key };
      }
      const tree = this.backend.scratch();
      try {
        const view = current.id ? this.backend.view(current) : null;
        try {
          const imageRoot = view?.root ?? tree;
          let owner = { uid: 0, gid: 0 };
          if (ins.chown) {
            const read = (p: string): string => {
              try {
                return utf8Decode(this.sys.readFile(`${imageRoot}${p}`));
              } catch {
                return '';
              }
            };
            owner = resolveChown(word(ins.chown), read('/etc/passwd'), read('/etc/group'));
          }
          const destIsDir = trailingSlash || count > 1 || (view !== null && this.isDirIn(view.root, dest));
          const plan: CopyPlan = { root, rels: matched, dest, destIsDir, owner, chmod: ins.chmod ? parseInt(ins.chmod, 8) : null, unpackArchives: ins.kind === 'add' && ins.from === null, imageRoot, tree, linkFiles: ins.from === null && o.contextIsScratch === true };
          copyIntoTree(this.sys, plan);
          for (const h of ins.heredocs) writeInline(this.sys, plan, h.name, h.expand ? word(h.content) : h.content);
        } finally {
          view?.release();
        }
        const layer = this.backend.commitTree(tree);
        const image = cloneImage(state.image);
        image.rootfs.diff_ids = [...image.rootfs.diff_ids, layer.diffId];
        const shownSources = [...(ins.from ? [`--from=${ins.from}`] : []), ...ins.sources];
        image.history = [...(image.history ?? []), history(`${ins.kind.toUpperCase()} ${shownSources.join(' ')} ${ins.dest} # buildkit`, this.backend.now(), false)];
        const stamped = this.stamp(image);
        const id = this.backend.createImage(stamped, current.id || null, [layer]);
        this.backend.cachePut(key, id);
        return { state: { ...state, image: stamped }, image: { id, config: stamped }, key };
      } finally {
        removeAll(this.sys, tree);
      }
    } finally {
      release?.();
    }
  }

  private isDirIn(root: string, path: string): boolean {
    const st = this.sys.statOrNull(`${root}${path}`);
    return st !== null && (st.mode & 0o170000) === 0o040000;
  }

  private imageHasDir(img: ImageInfo, path: string): boolean {
    if (!img.id) return false;
    const view = this.backend.view(img);
    try {
      return this.isDirIn(view.root, path);
    } finally {
      view.release();
    }
  }
}

/** A node for an instruction that is not in the file (ONBUILD triggers, --label), at a file line. */
function syntheticNode(text: string, at: Node): Node {
  const parsed = parseDockerfile(text);
  const n = parsed.nodes[0]!;
  return { ...n, startLine: at.startLine, endLine: at.endLine };
}
