// The shape of a Compose file, written for this runtime: which keys exist where and what type
// each takes. The validate stage walks a loaded file against it; normalize relies on it.

export type Schema =
  | { t: 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'any' }
  | { t: 'list'; items: Schema }
  | { t: 'mapping'; props: Record<string, Schema>; extensions?: boolean; unsupported?: readonly string[] }
  | { t: 'dict'; values: Schema }
  | { t: 'oneOf'; of: Schema[] };

const str: Schema = { t: 'string' };
const int: Schema = { t: 'integer' };
const num: Schema = { t: 'number' };
const bool: Schema = { t: 'boolean' };
const nul: Schema = { t: 'null' };
const any: Schema = { t: 'any' };
const list = (items: Schema): Schema => ({ t: 'list', items });
const mapping = (props: Record<string, Schema>, unsupported: readonly string[] = []): Schema => ({ t: 'mapping', props, extensions: true, unsupported });
const dict = (values: Schema): Schema => ({ t: 'dict', values });
const oneOf = (...of: Schema[]): Schema => ({ t: 'oneOf', of });

const strOrNum = oneOf(str, num);
/** `KEY=VALUE` lines or a KEY: VALUE mapping (environment, labels, args, sysctls). */
const listOrDict = oneOf(dict(oneOf(str, num, bool, nul)), list(str));
const duration = str;

const limits = mapping({ cpus: strOrNum, memory: strOrNum, pids: int });

const build = oneOf(
  str,
  mapping({ context: str, dockerfile: str, args: listOrDict, target: str, labels: listOrDict, network: str, no_cache: bool, pull: bool, tags: list(str) }, [
    'cache_from', 'cache_to', 'dockerfile_inline', 'extra_hosts', 'isolation', 'platforms', 'secrets', 'shm_size', 'ssh', 'additional_contexts', 'privileged',
  ]),
);

const serviceVolume = oneOf(
  str,
  mapping({
    type: str,
    source: str,
    target: str,
    read_only: bool,
    consistency: str,
    bind: mapping({ propagation: str, create_host_path: bool, selinux: str }),
    volume: mapping({ nocopy: bool, subpath: str }),
    tmpfs: mapping({ size: strOrNum, mode: num }),
  }),
);

const port = oneOf(num, str, mapping({ name: str, mode: str, host_ip: str, target: int, published: strOrNum, protocol: str, app_protocol: str }));

/** Compose keys this runtime accepts but does not act on: a warning, not an error. */
export const UNSUPPORTED_SERVICE_KEYS = [
  'annotations', 'attach', 'blkio_config', 'cgroup', 'cgroup_parent', 'configs', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period',
  'cpu_rt_runtime', 'cpu_shares', 'cpuset', 'credential_spec', 'develop', 'device_cgroup_rules', 'devices', 'dns_opt', 'dns_search', 'external_links',
  'extends', 'gpus', 'group_add', 'ipc', 'isolation', 'links', 'logging', 'mac_address', 'mem_reservation', 'mem_swappiness', 'memswap_limit',
  'oom_kill_disable', 'oom_score_adj', 'pid', 'runtime', 'secrets', 'security_opt', 'shm_size', 'storage_opt', 'ulimits', 'userns_mode', 'uts',
  'volumes_from',
] as const;

export const service: Schema = mapping(
  {
    build,
    cap_add: list(str),
    cap_drop: list(str),
    command: oneOf(nul, str, list(str)),
    container_name: str,
    cpus: strOrNum,
    depends_on: oneOf(list(str), dict(mapping({ condition: str, restart: bool, required: bool }))),
    deploy: oneOf(nul, mapping({
      mode: str,
      replicas: int,
      labels: listOrDict,
      resources: mapping({ limits, reservations: limits }),
      restart_policy: mapping({ condition: str, delay: duration, max_attempts: int, window: duration }),
    }, ['endpoint_mode', 'placement', 'rollback_config', 'update_config'])),
    dns: oneOf(str, list(str)),
    domainname: str,
    entrypoint: oneOf(nul, str, list(str)),
    environment: listOrDict,
    env_file: oneOf(str, list(oneOf(str, mapping({ path: str, required: bool, format: str })))),
    expose: list(strOrNum),
    extra_hosts: listOrDict,
    healthcheck: mapping({ test: oneOf(str, list(str)), interval: duration, timeout: duration, retries: num, start_period: duration, start_interval: duration, disable: bool }),
    hostname: str,
    image: str,
    init: bool,
    labels: listOrDict,
    mem_limit: strOrNum,
    network_mode: str,
    networks: oneOf(list(str), dict(oneOf(nul, mapping({ aliases: list(str), ipv4_address: str, ipv6_address: str, priority: num })))),
    pids_limit: int,
    platform: str,
    ports: list(port),
    privileged: bool,
    profiles: list(str),
    pull_policy: str,
    read_only: bool,
    restart: str,
    scale: int,
    stdin_open: bool,
    stop_grace_period: duration,
    stop_signal: str,
    sysctls: listOrDict,
    tmpfs: oneOf(str, list(str)),
    tty: bool,
    user: str,
    volumes: list(serviceVolume),
    working_dir: str,
  },
  UNSUPPORTED_SERVICE_KEYS,
);

const external = oneOf(bool, mapping({ name: str }));

export const network: Schema = oneOf(
  nul,
  mapping({ name: str, driver: str, driver_opts: dict(strOrNum), ipam: any, external, internal: bool, attachable: bool, enable_ipv6: bool, labels: listOrDict }),
);

export const volume: Schema = oneOf(nul, mapping({ name: str, driver: str, driver_opts: dict(strOrNum), external, labels: listOrDict }));

export const file: Schema = mapping(
  {
    version: strOrNum,
    name: str,
    services: dict(service),
    networks: dict(network),
    volumes: dict(volume),
  },
  ['secrets', 'configs', 'include', 'models'],
);
