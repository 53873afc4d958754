import { describe, expect, it } from 'vitest';
import { dfRows, historyRow, humanSize4, statsRow, type StatsJson } from '../../../src/guest/cli/stats.ts';
import { cpuTime, parseProcStat, psEf, ttyName } from '../../../src/guest/daemon/procinfo.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';

describe('docker stats rows', () => {
  it('take CPU % from the two readings and leave the page cache out of memory', () => {
    const s: StatsJson = {
      id: 'a'.repeat(64), name: '/web',
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 2_000_000_000, online_cpus: 1 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 1_000_000_000, online_cpus: 1 },
      memory_stats: { usage: 3 * 1024 * 1024, limit: 16 * 1024 * 1024, stats: { inactive_file: 1024 * 1024 } },
      networks: { eth0: { rx_bytes: 1234, tx_bytes: 0 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 0 }] },
      pids_stats: { current: 2 },
    };
    expect(statsRow(s).split('\t')).toEqual(['aaaaaaaaaaaa', 'web', '0.20%', '2MiB / 16MiB', '12.50%', '1.23kB / 0B', '4.1kB / 0B', '2']);
  });
});

describe('docker system df', () => {
  it('counts active objects and what could be reclaimed', () => {
    const out = dfRows({
      LayersSize: 2_212_000,
      Images: [{ Containers: 1, Size: 2_212_000 }],
      Containers: [{ State: 'running', SizeRw: 10 }, { State: 'exited', SizeRw: 30 }],
      Volumes: [{ UsageData: { Size: 5, RefCount: 0 } }],
    });
    expect(out.split('\n')).toEqual([
      'TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE',
      'Images\t1\t1\t2.212MB\t0B (0%)',
      'Containers\t2\t1\t40B\t30B (75%)',
      'Local Volumes\t1\t0\t5B\t5B (100%)',
      'Build Cache\t0\t0\t0B\t0B',
      '',
    ]);
    expect(humanSize4(0)).toBe('0B');
  });
});

describe('docker history rows', () => {
  it('cut the command to 45 characters and the id to 12', () => {
    const r = historyRow({ Id: `sha256:${'b'.repeat(64)}`, Created: 0, CreatedBy: `/bin/sh -c #(nop)\tENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin`, Size: 2_212_000, Comment: '' }, '3 hours ago', true, true);
    expect(r).toEqual({ ID: 'bbbbbbbbbbbb', CreatedSince: '3 hours ago', CreatedBy: `${'/bin/sh -c #(nop) ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin'.slice(0, 44)}…`, Size: '2.21MB', Comment: '' });
    expect(historyRow({ Id: '<missing>', Created: 0, CreatedBy: 'x', Size: 0, Comment: 'c' }, 'now', true, true).ID).toBe('<missing>');
  });
});

describe('docker top', () => {
  it('reads /proc as ps -ef shows it', () => {
    expect(parseProcStat('42 (my (odd) name) S 1 42 42 34816 42 0 0 0 0 0 150 50 0 0 20 0 1 0 1234 0 0')).toMatchObject({ pid: 42, comm: 'my (odd) name', ppid: 1, ttyNr: 34816, cpuTicks: 200, startTicks: 1234 });
    expect(ttyName(34816)).toBe('pts/0');
    expect(ttyName(0)).toBe('?');
    expect(ttyName((4 << 8) | 64)).toBe('ttyS0');
    expect(cpuTime(200)).toBe('00:00:02');
    expect(cpuTime(100 * 90061)).toBe('1-01:01:01');
  });

  it('lists the processes asked for', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/proc/uptime', '100.00 90.00\n');
    sys.addFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
    sys.addFile('/proc/7/stat', '7 (sleep) S 1 7 7 0 7 0 0 0 0 0 0 0 0 0 20 0 1 0 9000 0 0');
    sys.addFile('/proc/7/status', 'Name:\tsleep\nUid:\t0\t0\t0\t0\n');
    sys.addFile('/proc/7/cmdline', 'sleep\u0000300\u0000');
    const r = psEf(sys, [7, 8], new Date(2026, 0, 1, 12, 0, 0));
    expect(r.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(r.Processes).toEqual([['root', '7', '1', '0', '11:59', '?', '00:00:00', 'sleep 300']]);
  });
});
