// Where dockerd keeps each container's things on disk, in one place so create, start, exit
// handling, delete and cp agree: the data root (/var/lib/docker: records, logs, overlay layers)
// and the exec root (/var/run/docker: OCI bundles, shim sockets, runc's state).

export class Layout {
  constructor(
    /** /var/lib/docker */
    readonly root: string,
    /** /var/run/docker */
    readonly execRoot: string,
  ) {}

  /** The records' directory (containers.ts). */
  get containersDir(): string {
    return `${this.root}/containers`;
  }

  /** The container's own directory: record, log, hosts, resolv.conf, the shim's exit record. */
  containerDir(id: string): string {
    return `${this.containersDir}/${id}`;
  }

  /** Where the shim writes the exit (exit handling reads it, start removes an old one). */
  exitFile(id: string): string {
    return `${this.containerDir(id)}/exit.json`;
  }

  /** The container's overlay: diff (its writable layer), work, merged (its root while mounted). */
  layerDir(id: string): string {
    return `${this.root}/overlay2/${id}`;
  }

  mergedDir(id: string): string {
    return `${this.layerDir(id)}/merged`;
  }

  /** The OCI bundle the shim runs the container from. */
  bundle(id: string): string {
    return `${this.execRoot}/containerd/${id}`;
  }

  /** The shim's control socket: short, as a unix socket path must be (108 bytes at most). */
  shimSocket(id: string): string {
    return `${this.execRoot}/s/${id.slice(0, 32)}`;
  }

  /** runc's state directory (--root). */
  get runtimeRoot(): string {
    return `${this.execRoot}/runtime-runc`;
  }
}
