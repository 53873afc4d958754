// The table of Compose files behind config.test.ts: inputs, the YAML `docker compose config`
// prints for them, and the errors it gives. The expected texts were checked against Docker
// Compose 2.26.1 (Debian trixie's docker-compose): every `config` text here is what it prints,
// and every error text is contained in what it prints, unless the case says otherwise.
import type { LoadOptions } from '../../../src/guest/compose/load.ts';

export interface Case {
  name: string;
  files: Record<string, string>;
  env?: Record<string, string>;
  opts?: LoadOptions;
  cwd?: string;
  config: string;
  warnings?: string[];
}

const ARTICLE = `version: '3.3'
services:
   db:
     image: mariadb:10.11
     volumes:
       - db_data:/var/lib/mysql
     restart: always
     environment:
       MYSQL_ROOT_PASSWORD: somewordpress
       MYSQL_DATABASE: wordpress
       MYSQL_USER: wordpress
       MYSQL_PASSWORD: wordpress
   wordpress:
     depends_on:
       - db
     image: wordpress:latest
     ports:
       - "8000:80"
     restart: always
     environment:
       WORDPRESS_DB_HOST: db:3306
       WORDPRESS_DB_USER: wordpress
       WORDPRESS_DB_PASSWORD: wordpress
       WORDPRESS_DB_NAME: wordpress
volumes:
    db_data: {}
`;

export const cases: Case[] = [
  {
    name: "the article's WordPress file (version warned about, folder name as project name)",
    cwd: '/root/wordpress',
    files: { '/root/wordpress/docker-compose.yml': ARTICLE },
    warnings: ['/root/wordpress/docker-compose.yml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion'],
    config: `name: wordpress
services:
  db:
    environment:
      MYSQL_DATABASE: wordpress
      MYSQL_PASSWORD: wordpress
      MYSQL_ROOT_PASSWORD: somewordpress
      MYSQL_USER: wordpress
    image: mariadb:10.11
    networks:
      default: null
    restart: always
    volumes:
      - type: volume
        source: db_data
        target: /var/lib/mysql
        volume: {}
  wordpress:
    depends_on:
      db:
        condition: service_started
        required: true
    environment:
      WORDPRESS_DB_HOST: db:3306
      WORDPRESS_DB_NAME: wordpress
      WORDPRESS_DB_PASSWORD: wordpress
      WORDPRESS_DB_USER: wordpress
    image: wordpress:latest
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: "8000"
        protocol: tcp
    restart: always
networks:
  default:
    name: wordpress_default
volumes:
  db_data:
    name: wordpress_db_data
`,
  },
  {
    name: 'interpolation: defaults, alternatives, $$, .env under the shell environment',
    files: {
      '/root/lab/compose.yaml': `services:
  web:
    image: "busybox:\${TAG:-latest}"
    command: sh -c 'echo $$HOME; echo \${GREETING-hi}'
    environment:
      EMPTY: "\${EMPTY:-fallback}"
      DASH: "\${EMPTY-kept}"
      PLUS: "\${TAG:+tagged}"
      FROM_DOTENV: \${FROM_DOTENV}
      SHELL_WINS: \${BOTH}
      UNSET: "\${NOPE}"
`,
      '/root/lab/.env': 'FROM_DOTENV=dotenv\nBOTH=from-dotenv\nEMPTY=\n# a comment\nexport QUOTED="a b"\n',
    },
    env: { BOTH: 'from-shell' },
    warnings: ['The "NOPE" variable is not set. Defaulting to a blank string.'],
    config: `name: lab
services:
  web:
    command:
      - sh
      - -c
      - echo $$HOME; echo hi
    environment:
      DASH: ""
      EMPTY: fallback
      FROM_DOTENV: dotenv
      PLUS: ""
      SHELL_WINS: from-shell
      UNSET: ""
    image: busybox:latest
    networks:
      default: null
networks:
  default:
    name: lab_default
`,
  },
  {
    name: 'short and long syntax: ports, volumes, depends_on, networks with aliases, environment list, env_file, limits, scale',
    files: {
      '/root/lab/compose.yaml': `name: shop
services:
  api:
    image: busybox
    ports:
      - 80
      - "127.0.0.1:8080:8080/udp"
      - "9000-9001:90-91"
      - target: 443
        published: 8443
    volumes:
      - ./html:/srv/html:ro
      - cache:/cache
      - /anon
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 64m
    environment:
      - A=1
      - B
      - C=x=y
    env_file: api.env
    networks:
      front:
        aliases: [api.local]
      back:
    deploy:
      resources:
        limits:
          memory: 64m
          cpus: '0.5'
    scale: 2
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      test: wget -q localhost
      interval: 90s
      timeout: 500ms
      retries: 3
    stop_grace_period: 1m
  db:
    image: busybox
    networks: [back]
    command: ["httpd", "-f"]
networks:
  front:
  back:
    external: true
volumes:
  cache:
    external:
      name: shared-cache
`,
      '/root/lab/api.env': 'FROM_FILE=1\nA=overridden-by-environment\n',
    },
    env: { B: 'from-shell' },
    warnings: ['volumes.cache: external.name is deprecated. Please set name and external: true'],
    config: `name: shop
services:
  api:
    depends_on:
      db:
        condition: service_healthy
        required: true
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: 0.5
          memory: "67108864"
    environment:
      A: "1"
      B: from-shell
      C: x=y
      FROM_FILE: "1"
    healthcheck:
      test:
        - CMD-SHELL
        - wget -q localhost
      timeout: 500ms
      interval: 1m30s
      retries: 3
    image: busybox
    networks:
      back: null
      front:
        aliases:
          - api.local
    ports:
      - mode: ingress
        target: 80
        protocol: tcp
      - mode: ingress
        host_ip: 127.0.0.1
        target: 8080
        published: "8080"
        protocol: udp
      - mode: ingress
        target: 90
        published: "9000"
        protocol: tcp
      - mode: ingress
        target: 91
        published: "9001"
        protocol: tcp
      - mode: ingress
        target: 443
        published: "8443"
        protocol: tcp
    scale: 2
    stop_grace_period: 1m0s
    volumes:
      - type: bind
        source: /root/lab/html
        target: /srv/html
        read_only: true
        bind:
          create_host_path: true
      - type: volume
        source: cache
        target: /cache
        volume: {}
      - type: volume
        target: /anon
        volume: {}
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: "67108864"
  db:
    command:
      - httpd
      - -f
    image: busybox
    networks:
      back: null
networks:
  back:
    name: back
    external: true
  front:
    name: shop_front
volumes:
  cache:
    name: shared-cache
    external: true
`,
  },
  {
    name: 'several -f files merged with the override rules; -p wins over name:',
    files: {
      '/root/lab/compose.yaml': `name: base
services:
  web:
    image: busybox
    command: ["httpd", "-f"]
    environment: [A=1, B=2]
    ports: ["8000:80"]
    volumes: ["data:/data", "./a:/a"]
    labels: { x: "1" }
volumes:
  data:
`,
      '/root/lab/dev.yaml': `services:
  web:
    image: busybox:1.36
    command: sh
    environment: { B: three, C: "4" }
    ports: ["8000:80", "9000:90"]
    volumes: ["./b:/a"]
    labels: [y=2]
`,
    },
    opts: { files: ['compose.yaml', 'dev.yaml'], projectName: 'merged' },
    config: `name: merged
services:
  web:
    command:
      - sh
    environment:
      A: "1"
      B: three
      C: "4"
    image: busybox:1.36
    labels:
      x: "1"
      "y": "2"
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: "8000"
        protocol: tcp
      - mode: ingress
        target: 90
        published: "9000"
        protocol: tcp
    volumes:
      - type: volume
        source: data
        target: /data
        volume: {}
      - type: bind
        source: /root/lab/b
        target: /a
        bind:
          create_host_path: true
networks:
  default:
    name: merged_default
volumes:
  data:
    name: merged_data
`,
  },
  {
    name: 'compose.override.yaml beside compose.yaml is merged; profiles leave a service out; found from a subfolder',
    cwd: '/root/app/sub',
    files: {
      '/root/app/compose.yaml': 'services:\n  web:\n    image: busybox\n  debug:\n    image: busybox\n    profiles: [debug]\n',
      '/root/app/compose.override.yaml': 'services:\n  web:\n    tty: true\n',
    },
    config: 'name: app\nservices:\n  web:\n    image: busybox\n    networks:\n      default: null\n    tty: true\nnetworks:\n  default:\n    name: app_default\n',
  },
  {
    name: 'the other service keys: limits, healthcheck disable, null command, extra_hosts, sysctls, x- keys; unused networks and volumes left out',
    files: { '/root/lab/compose.yaml': `services:
  a:
    image: busybox
    deploy:
      replicas: 1
      resources:
        limits: { memory: 1g, cpus: 2 }
    environment: [UNSETVAR, "Y=n"]
    labels: { on: off }
    healthcheck:
      disable: true
    command: null
    mem_limit: 1g
    cpus: 2
    init: true
    tty: true
    stdin_open: true
    restart: unless-stopped
    user: "1000:1000"
    working_dir: /app
    hostname: h
    container_name: aa
    stop_signal: SIGTERM
    expose: [80, "90/udp"]
    tmpfs: /run
    entrypoint: ["/bin/sh", "-c"]
    cap_add: [NET_ADMIN]
    extra_hosts: ["somehost:1.2.3.4"]
    dns: 8.8.8.8
    sysctls: { net.core.somaxconn: 1024 }
    x-custom: 1
  b:
    image: busybox
    network_mode: host
    depends_on:
      a: { condition: service_started, restart: true }
    healthcheck:
      test: ["CMD", "true"]
      start_period: 30s
networks:
  custom:
    driver: bridge
    ipam:
      config:
        - subnet: 172.28.0.0/16
volumes:
  v:
    labels: [a=b]
x-top: 1
` },
    config: `name: lab
services:
  a:
    cap_add:
      - NET_ADMIN
    cpus: 2
    container_name: aa
    deploy:
      replicas: 1
      resources:
        limits:
          cpus: 2
          memory: "1073741824"
    dns:
      - 8.8.8.8
    entrypoint:
      - /bin/sh
      - -c
    environment:
      UNSETVAR: null
      "Y": "n"
    expose:
      - "80"
      - 90/udp
    extra_hosts:
      - somehost=1.2.3.4
    hostname: h
    healthcheck:
      disable: true
    image: busybox
    init: true
    labels:
      "on": "off"
    mem_limit: "1073741824"
    networks:
      default: null
    restart: unless-stopped
    stdin_open: true
    stop_signal: SIGTERM
    sysctls:
      net.core.somaxconn: "1024"
    tmpfs:
      - /run
    tty: true
    user: 1000:1000
    working_dir: /app
    x-custom: 1
  b:
    depends_on:
      a:
        condition: service_started
        restart: true
        required: true
    healthcheck:
      test:
        - CMD
        - "true"
      start_period: 30s
    image: busybox
    network_mode: host
networks:
  default:
    name: lab_default
x-top: 1
`,
  },
  {
    name: '--profile enables a service; build gets its absolute context and default Dockerfile',
    files: { '/root/lab/compose.yaml': 'services:\n  tool:\n    build: ./tool\n    profiles: [debug]\n    network_mode: none\n' },
    opts: { profiles: ['debug'] },
    // compose-go prints `profiles` first (struct order); unsure whether it also prints the build's default dockerfile
    config: 'name: lab\nservices:\n  tool:\n    profiles:\n      - debug\n    build:\n      context: /root/lab/tool\n      dockerfile: Dockerfile\n    network_mode: none\n',
  },
];

export interface ErrCase {
  name: string;
  files: Record<string, string>;
  env?: Record<string, string>;
  opts?: LoadOptions;
  error: string;
}

const F = '/root/lab/compose.yaml';
export const errors: ErrCase[] = [
  { name: 'no file', files: {}, error: 'no configuration file provided: not found' },
  { name: '-f of a missing file', files: {}, opts: { files: ['nope.yml'] }, error: 'open /root/lab/nope.yml: no such file or directory' },
  // Compose (go-yaml) words YAML errors its own way ("yaml: line 1: did not find expected key",
  // "yaml: unmarshal errors: line 4: mapping key \"image\" already defined at line 3"); ours name
  // the file, line and column of the fault
  { name: 'YAML syntax error with line and column', files: { [F]: 'services:\n  web:\n    image: busybox\n   ports: [80\n' }, error: `parsing ${F}: yaml: line 4, column` },
  { name: 'duplicate key', files: { [F]: 'services:\n  web:\n    image: a\n    image: b\n' }, error: `parsing ${F}: yaml: line 4, column 5: mapping key "image" already defined` },
  { name: 'unknown service key with its path', files: { [F]: 'services:\n  wordpress:\n    image: wordpress\n    portz: ["80"]\n' }, error: `validating ${F}: services.wordpress Additional property portz is not allowed` },
  { name: 'unknown top-level key', files: { [F]: 'servicez: {}\n' }, error: `validating ${F}: (root) Additional property servicez is not allowed` },
  { name: 'wrong type', files: { [F]: 'services:\n  web:\n    image: busybox\n    ports: "80:80"\n' }, error: `validating ${F}: services.web.ports must be a list` },
  { name: 'wrong type inside a list', files: { [F]: 'services:\n  web:\n    image: busybox\n    volumes: [{type: volume, target: /x, bogus: 1}]\n' }, error: `validating ${F}: services.web.volumes.0 Additional property bogus is not allowed` },
  { name: 'undefined volume', files: { [F]: 'services:\n  db:\n    image: busybox\n    volumes: [db_data:/var/lib/mysql]\n' }, error: 'service "db" refers to undefined volume db_data: invalid compose project' },
  { name: 'undefined network', files: { [F]: 'services:\n  web:\n    image: busybox\n    networks: [front]\n' }, error: 'service "web" refers to undefined network front: invalid compose project' },
  { name: 'depends_on an undefined service', files: { [F]: 'services:\n  web:\n    image: busybox\n    depends_on: [db]\n' }, error: 'service "web" depends on undefined service "db": invalid compose project' },
  // unsure of compose-go's exact wording for cycles
  { name: 'depends_on cycle', files: { [F]: 'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [c]\n  c:\n    image: busybox\n    depends_on: [a]\n' }, error: 'dependency cycle detected: a -> b -> c -> a' },
  { name: 'missing required variable with its message', files: { [F]: 'services:\n  db:\n    image: busybox\n    environment:\n      PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD first}\n' }, error: 'error while interpolating services.db.environment.PASSWORD: required variable DB_PASSWORD is missing a value: set DB_PASSWORD first' },
  { name: 'empty required variable with :?', files: { [F]: 'services:\n  db:\n    image: "${IMG:?}"\n' }, env: { IMG: '' }, error: 'error while interpolating services.db.image: required variable IMG is missing a value' },
  { name: 'bad interpolation', files: { [F]: 'services:\n  db:\n    image: "${IMG"\n' }, error: 'invalid interpolation format for services.db.image.\nYou may need to escape any $ with another $.\n${IMG' },
  { name: 'neither image nor build', files: { [F]: 'services:\n  web:\n    command: sh\n' }, error: 'service "web" has neither an image nor a build context specified: invalid compose project' },
  { name: 'bad -p', files: { [F]: 'services:\n  web:\n    image: busybox\n' }, opts: { projectName: 'My App' }, error: 'invalid project name "My App": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number' },
  { name: 'scale against deploy.replicas', files: { [F]: 'services:\n  a:\n    image: busybox\n    scale: 2\n    deploy: { replicas: 3 }\n' }, error: "services.a: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project" },
  { name: 'container_name with scale', files: { [F]: 'services:\n  a:\n    image: busybox\n    container_name: x\n    scale: 2\n' }, error: "services.scale: can't set container_name and a as container name must be unique: invalid compose project" },
  { name: 'cpus against deploy limits', files: { [F]: 'services:\n  a:\n    image: busybox\n    cpus: 1\n    deploy: { resources: { limits: { cpus: 2 } } }\n' }, error: "services.a: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus': invalid compose project" },
  { name: 'unknown depends_on condition', files: { [F]: 'services:\n  a:\n    image: busybox\n    depends_on: {b: {condition: service_maybe}}\n  b:\n    image: busybox\n' }, error: `validating ${F}: services.a.depends_on.b.condition services.a.depends_on.b.condition must be one of the following: "service_started", "service_healthy", "service_completed_successfully"` },
  { name: 'bad port', files: { [F]: 'services:\n  web:\n    image: busybox\n    ports: ["80:http"]\n' }, error: 'Invalid containerPort: http' },
  { name: 'missing env_file', files: { [F]: 'services:\n  web:\n    image: busybox\n    env_file: web.env\n' }, error: 'env file /root/lab/web.env not found: stat /root/lab/web.env: no such file or directory' },
];

