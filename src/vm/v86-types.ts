// Types for the parts of v86 (0.5.x) that the driver uses and that v86.d.ts leaves untyped or
// does not list: the 9p filesystem object, the network adapter, the serial events per port.
// The driver receives the V86 constructor by injection, so the browser worker and Node share
// one core without importing v86 here.
import type { V86Options } from 'v86';

/** v86's lib/filesystem.js FileStorageInterface: file contents by key, read lazily. */
export interface V86FileStorage {
  read(key: string, offset: number, count: number, fileSize: number): Promise<Uint8Array | null>;
  cache(key: string, data: Uint8Array): Promise<void>;
  uncache(key: string): void;
}

/** One entry of v86's JSON filesystem index (format version 3, see share-index.ts). */
export type V86FsEntry = [name: string, size: number, mtime: number, mode: number, uid: number, gid: number, target?: string | V86FsEntry[]];

export interface V86FsIndex {
  version: 3;
  size: number;
  fsroot: V86FsEntry[];
}

export interface V86Inode {
  mode: number;
  size: number;
}

/** The subset of v86's FS (lib/filesystem.js) that the driver calls. */
export interface V86Filesystem {
  storage: V86FileStorage;
  inodes: V86Inode[];
  SearchPath(path: string): { id: number; parentid: number; name: string; forward_path: string | null };
  CreateDirectory(name: string, parentid: number): number;
  Unlink(parentid: number, name: string): number;
  RecursiveDelete(path: string): void;
  LoadRecursive(entry: V86FsEntry, parentid: number): void;
  IsDirectory(idx: number): boolean;
}

export interface V86TcpConnection {
  on(event: 'connect' | 'data' | 'shutdown' | 'close', listener: (data?: Uint8Array) => void): void;
  write(data: Uint8Array): void;
  close(): void;
}

/** v86's FetchNetworkAdapter (net_device relay_url "fetch"); appears on the emulator after construction. */
export interface V86NetworkAdapter {
  tcp_probe(port: number): Promise<boolean>;
  connect(port: number): V86TcpConnection;
  fetch(url: string, options?: RequestInit): Promise<[Response, ArrayBuffer]>;
}

export type SerialPort = 0 | 1 | 2 | 3;

/** v86's CPU object (src/cpu.js): guest RAM and the wasm call restore_state makes to clear it. */
export interface V86Cpu {
  /** A Proxy over the wasm memory in 0.5.x (it survives memory growth), not a Uint8Array. */
  mem8: Pick<Uint8Array, 'length' | 'fill'>;
  zero_memory(addr: number, length: number): void;
}

/** What the driver needs from a V86 instance. */
export interface V86Emulator {
  run(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
  is_running(): boolean;
  add_listener(event: string, listener: (arg: never) => void): void;
  remove_listener(event: string, listener: (arg: never) => void): void;
  save_state(): Promise<ArrayBuffer>;
  restore_state(state: ArrayBuffer): Promise<void>;
  serial_send_bytes(port: SerialPort, data: Uint8Array): void;
  create_file(path: string, data: Uint8Array): Promise<void>;
  read_file(path: string): Promise<Uint8Array>;
  fs9p?: V86Filesystem;
  network_adapter?: V86NetworkAdapter;
  /** v86's internals (undocumented: the driver checks the shape before use). */
  v86?: { cpu?: Partial<V86Cpu> };
}

export type V86Constructor = new (options: V86Options) => V86Emulator;
