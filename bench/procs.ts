/**
 * Child processes and temp dirs of one bench run, and a /proc sampler for the
 * memory of a process tree.
 *
 * Every child is tracked and stopped by its pid (or, for Playwright runs, by
 * its process group, whose id is its pid) on normal exit, on an error and on
 * SIGINT/SIGTERM. Descendants the sampler saw (e.g. Playwright's webServer,
 * which runs in its own process group) are remembered with their start time
 * and killed only if that very process is still alive.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';

export interface ChildOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Own process group (detached): stop() signals the whole group. For runners that fork workers. */
  group?: boolean;
  /** Open an IPC channel (node children only). */
  ipc?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const children = new Set<Child>();
const temps = new Set<string>();
/** Descendants seen by a sampler: pid → start time (clock ticks since boot), to never kill a reused pid. */
const descendants = new Map<number, number>();

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';
  private running = true;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    private readonly opts: ChildOptions,
  ) {
    const stdio: StdioOptions = opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
    this.proc = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: !!opts.group, stdio });
    children.add(this);
    const cap = (s: string, d: Buffer) => (s.length > 1_000_000 ? s : s + d.toString('utf8'));
    this.proc.stdout?.on('data', (d: Buffer) => (this.stdout = cap(this.stdout, d)));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr = cap(this.stderr, d)));
    this.exited = new Promise<Exit>((resolve) => {
      this.proc.once('error', (err) => {
        this.stderr += `\n${label}: ${err.message}`;
        this.running = false;
        children.delete(this);
        resolve({ code: null, signal: null });
      });
      this.proc.once('exit', (code, signal) => {
        this.running = false;
        children.delete(this);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get isRunning(): boolean {
    return this.running && this.proc.pid !== undefined;
  }

  signal(sig: NodeJS.Signals): void {
    const pid = this.proc.pid;
    if (pid === undefined) return;
    try {
      process.kill(this.opts.group ? -pid : pid, sig);
    } catch {
      // already gone
    }
  }

  /** Graceful signal (SIGINT to a group, so Playwright stops its webServer; SIGTERM otherwise), then SIGKILL. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.isRunning) return;
    this.signal(this.opts.group ? 'SIGINT' : 'SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)]);
    if (!gone) {
      this.signal('SIGKILL');
      await Promise.race([this.exited, delay(1000)]);
    }
  }
}

export function registerTemp(dir: string): string {
  temps.add(dir);
  return dir;
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  temps.delete(dir);
}

function startTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]); // field 22 of stat; fields[0] is field 3
  } catch {
    return null;
  }
}

/** Kill descendants that outlived their parents (only if pid and start time still match). Returns how many. */
function killStrays(): number {
  let n = 0;
  for (const [pid, start] of descendants) {
    if (pid === process.pid) continue;
    if (startTime(pid) === start) {
      try {
        process.kill(pid, 'SIGKILL');
        n++;
      } catch {
        // gone meanwhile
      }
    }
    descendants.delete(pid);
  }
  return n;
}

/** Stop every child still running (and stray descendants), remove temp dirs. */
export async function stopAll(): Promise<number> {
  const running = [...children].filter((c) => c.isRunning);
  await Promise.all(running.map((c) => c.stop()));
  const strays = killStrays();
  for (const d of [...temps]) removeTemp(d);
  return running.length + strays;
}

/** After a normal phase: give surviving descendants `graceMs` to exit on their own, then kill them. Returns how many were killed. */
export async function reapStrays(graceMs = 3000): Promise<number> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    for (const [pid, start] of descendants) if (startTime(pid) !== start) descendants.delete(pid);
    if (descendants.size === 0 || Date.now() >= deadline) break;
    await delay(50);
  }
  return killStrays();
}

let interrupted = false;

/** SIGINT/SIGTERM: stop children by pid, clean up, exit 130/143. On any exit: SIGKILL what is left. */
export function installHandlers(): void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      for (const c of children) c.signal('SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    interrupted = true;
    const n = [...children].filter((c) => c.isRunning).length;
    process.stderr.write(`\nbench: ${sig}, stopping ${n} child process(es)...\n`);
    void stopAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const c of children) if (c.isRunning) c.signal('SIGKILL');
    killStrays();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });
}

// ── memory sampling ──────────────────────────────────────────────────────────

export interface ProcMemory {
  pid: number;
  group: string;
  cmd: string;
  /** Peak resident set (VmHWM) last read, KiB. */
  hwmKiB: number;
  /** utime + stime last read, seconds (misses at most the last sampling interval of the process). */
  cpuS: number;
  /** Samples that saw this process. */
  samples: number;
}

export interface TreeMemory {
  supported: boolean;
  samples: number;
  procs: ProcMemory[];
  /** Per group and per combo: the largest sum of VmRSS seen in one sample, KiB. */
  peakConcurrentKiB: Record<string, number>;
  /** CPU seconds (user + system) of the whole tree. */
  cpuS: number;
  /** The same per group. */
  cpuByGroupS: Record<string, number>;
}

const HAS_PROC = existsSync('/proc/self/status');
const HAS_CHILDREN_FILE = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

function childPids(pid: number): number[] {
  if (HAS_CHILDREN_FILE) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return text ? text.split(' ').map(Number) : [];
    } catch {
      return [];
    }
  }
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // exited
    }
  }
  return out;
}

function readStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)/m.exec(text);
    const hwm = /^VmHWM:\s+(\d+)/m.exec(text);
    if (!rss || !hwm) return null; // zombie
    return { rss: Number(rss[1]), hwm: Number(hwm[1]) };
  } catch {
    return null;
  }
}

const TICKS = 100; // USER_HZ: 100 on every mainstream Linux

function readCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // fields 14 and 15: utime, stime
  } catch {
    return null;
  }
}

function readCmd(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Polls /proc for a process and all its descendants every `intervalMs`. */
export class TreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly procs = new Map<number, ProcMemory>();
  private readonly peaks = new Map<string, number>();
  private samples = 0;

  constructor(
    private readonly root: number,
    private readonly classify: (pid: number, cmd: string) => string,
    private readonly combos: Record<string, string[]> = {},
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    if (!HAS_PROC) return this;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): TreeMemory {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return {
      supported: HAS_PROC,
      samples: this.samples,
      procs: [...this.procs.values()],
      peakConcurrentKiB: Object.fromEntries(this.peaks),
      cpuS: [...this.procs.values()].reduce((a, p) => a + p.cpuS, 0),
      cpuByGroupS: [...this.procs.values()].reduce<Record<string, number>>((a, p) => ({ ...a, [p.group]: (a[p.group] ?? 0) + p.cpuS }), {}),
    };
  }

  private sample(): void {
    const sums = new Map<string, number>();
    const queue = [this.root];
    const visited = new Set<number>();
    while (queue.length) {
      const pid = queue.shift()!;
      if (visited.has(pid)) continue;
      visited.add(pid);
      const st = readStatus(pid);
      if (st) {
        let p = this.procs.get(pid);
        if (!p) {
          const cmd = readCmd(pid);
          p = { pid, cmd, group: this.classify(pid, cmd), hwmKiB: 0, cpuS: 0, samples: 0 };
          this.procs.set(pid, p);
          const start = startTime(pid);
          if (pid !== this.root && start !== null) descendants.set(pid, start);
        } else if (p.samples < 40) {
          // A process seen between fork and exec still shows its parent's command line
          // (and its copy-on-write RSS): classify again, and start over, once it has exec'd.
          const cmd = readCmd(pid);
          if (cmd && cmd !== p.cmd) Object.assign(p, { cmd, group: this.classify(pid, cmd), hwmKiB: 0, cpuS: 0 });
        }
        p.samples++;
        const now = readStatus(pid) ?? st; // after a possible exec
        p.hwmKiB = Math.max(p.hwmKiB, now.hwm);
        p.cpuS = Math.max(p.cpuS, readCpu(pid) ?? 0);
        sums.set(p.group, (sums.get(p.group) ?? 0) + now.rss);
      }
      queue.push(...childPids(pid));
    }
    for (const [name, groups] of Object.entries(this.combos)) {
      sums.set(name, groups.reduce((a, g) => a + (sums.get(g) ?? 0), 0));
    }
    sums.set('total', [...sums.entries()].filter(([k]) => !(k in this.combos)).reduce((a, [, v]) => a + v, 0));
    for (const [k, v] of sums) this.peaks.set(k, Math.max(this.peaks.get(k) ?? 0, v));
    this.samples++;
  }
}
