// The normalized Compose model: what `config` prints and what converge works from. Keys are
// the Compose file's own (snake_case), so the model serializes as Compose prints it.

export type Env = Record<string, string | null>;

export interface PortConfig {
  name?: string;
  mode: 'ingress' | 'host';
  host_ip?: string;
  target: number;
  /** A string, as Compose keeps it (it may be a range). */
  published?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

export interface Dependency {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  restart?: boolean;
  required: boolean;
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
}

export interface Healthcheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  args?: Env;
  target?: string;
  labels?: Record<string, string>;
  network?: string;
  no_cache?: boolean;
  pull?: boolean;
  tags?: string[];
}

export interface Limits {
  cpus?: number;
  memory?: string;
  pids?: number;
}

export interface Deploy {
  mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  resources?: { limits?: Limits; reservations?: Limits };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
}

export interface EnvFile {
  path: string;
  required: boolean;
}

export interface Service {
  /** The key under `services:` (not printed: the map key says it). */
  name: string;
  profiles?: string[];
  build?: BuildConfig;
  cap_add?: string[];
  cap_drop?: string[];
  command?: string[] | null;
  container_name?: string;
  cpus?: number;
  depends_on?: Record<string, Dependency>;
  deploy?: Deploy;
  dns?: string[];
  domainname?: string;
  entrypoint?: string[] | null;
  environment?: Env;
  expose?: string[];
  extra_hosts?: string[];
  hostname?: string;
  healthcheck?: Healthcheck;
  image?: string;
  init?: boolean;
  labels?: Record<string, string>;
  mem_limit?: string;
  network_mode?: string;
  networks?: Record<string, ServiceNetwork | null>;
  pids_limit?: number;
  platform?: string;
  ports?: PortConfig[];
  privileged?: boolean;
  pull_policy?: string;
  read_only?: boolean;
  restart?: string;
  scale?: number;
  stdin_open?: boolean;
  stop_grace_period?: string;
  stop_signal?: string;
  sysctls?: Record<string, string>;
  tmpfs?: string[];
  tty?: boolean;
  user?: string;
  volumes?: ServiceVolume[];
  working_dir?: string;
  /** x-* keys, kept as given. */
  extensions?: Record<string, unknown>;
}

export interface NetworkConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: Record<string, unknown>;
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
}

export interface Project {
  name: string;
  /** The project directory: relative paths resolve against it. */
  workingDir: string;
  /** Absolute paths of the files loaded, in order. */
  configFiles: string[];
  /** Services that are enabled (active profiles). */
  services: Record<string, Service>;
  /** Services left out because their profiles are not active. */
  disabled: Record<string, Service>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  /** The variables interpolation saw (shell environment over .env). */
  environment: Record<string, string>;
  /** Top-level x-* keys. */
  extensions?: Record<string, unknown>;
}

/** How many containers a service runs. */
export function replicas(s: Service): number {
  return s.scale ?? s.deploy?.replicas ?? 1;
}
