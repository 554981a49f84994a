import { getDeviceInfo } from "./device";
import type { DeviceInfo, ExitReason } from "./types";

/** What the manager uses of the browser; tests pass their own. */
export interface Environment {
  fetch: (url: string, init: RequestInit) => Promise<{ status: number }>;
  /** Where the open session, the buffer and the queue are kept (localStorage). */
  storage: Storage | null;
  /** The tab's own storage (sessionStorage): it names the tab across reloads. */
  tabStorage: Storage | null;
  sendBeacon: ((url: string, body: string) => boolean) | null;
  online: () => boolean;
  visible: () => boolean;
  page: () => string | undefined;
  referrer: () => string | undefined;
  campaign: () => string | undefined;
  device: () => DeviceInfo;
  uuid: () => string;
  listen: (target: "window" | "document", type: string, handler: (event: any) => void) => void;
}

export interface TrackerOptions {
  /** The collector's API, as `https://collector.example.com/api/v1/sessions`. */
  endpoint: string;
  /** A publishable key (bound to the page's origin on the collector). */
  publishableKey?: string;
  /** Without activity or heartbeat for this long, a session ends as `timeout` (30 min). */
  inactivityMs?: number;
  /** Heartbeats while the page is visible (5 min). */
  heartbeatMs?: number;
  /** Activities sent together (5), and sent at the latest this long after the first (5 s). */
  batchSize?: number;
  flushMs?: number;
  /** At most this many events wait for the network; older ones are dropped and counted. */
  maxQueued?: number;
  /** A page back within this long after it was hidden by a reload or a link resumes its
   * session (the collector writes an unload end after its END_GRACE_SECONDS, 30 s). */
  resumeMs?: number;
  /** Told of every drop (a full queue, an event the collector refused for good). */
  onDrop?: (count: number, reason: string) => void;
  env?: Partial<Environment>;
}

interface Open {
  id: string;
  userId: string;
  /** The last activity or heartbeat (ms). */
  last: number;
}

interface Item {
  path: string;
  body: Record<string, unknown>;
  /** Events it holds (what a drop counts). */
  n: number;
  unload?: boolean;
}

interface State {
  session: Open | null;
  buffer: Record<string, unknown>[];
  queue: Item[];
  /** Dropped and not yet reported to the collector. */
  dropped: number;
  /** When the page was hidden for good (pagehide) with its session open. */
  unloadedAt?: number;
  touched: number;
  /** The tab's own inactivityMs: how long others wait before they take its entry over. */
  idle: number;
}

const PREFIX = "sessions-tracker:";
const TAB = PREFIX + "tab";
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function browserEnvironment(): Environment {
  const w = typeof window === "undefined" ? undefined : window;
  const storage = (name: "localStorage" | "sessionStorage") => {
    try {
      return w ? w[name] : null;
    } catch {
      return null; // storage disabled
    }
  };
  return {
    fetch: (url, init) => fetch(url, init),
    storage: storage("localStorage"),
    tabStorage: storage("sessionStorage"),
    sendBeacon: w?.navigator.sendBeacon ? (url, body) => w.navigator.sendBeacon(url, body) : null,
    online: () => !w || w.navigator.onLine !== false,
    visible: () => !w || w.document.visibilityState !== "hidden",
    page: () => w?.location.pathname,
    referrer: () => (w && w.document.referrer) || undefined,
    campaign: () => (w && new URLSearchParams(w.location.search).get("utm_campaign")) || undefined,
    device: () => getDeviceInfo(),
    uuid: () => crypto.randomUUID(),
    listen: (target, type, handler) => (target === "window" ? w : w?.document)?.addEventListener(type, handler),
  };
}

/**
 * The spec's SessionManager, for any page (no framework): client-made session ids, activities
 * buffered and sent in batches, a new session after 30 minutes idle, the open session and the
 * unsent events kept in localStorage (one entry per tab), heartbeats while visible, an end sent
 * with sendBeacon as the page goes, and failed sends retried with backoff from a bounded queue.
 */
export class SessionManager {
  private readonly o: Required<Omit<TrackerOptions, "publishableKey" | "onDrop" | "env">> & TrackerOptions;
  private readonly env: Environment;
  private readonly name: string;
  private s: State;
  private heartbeats?: ReturnType<typeof setInterval>;
  private flushTimer?: ReturnType<typeof setTimeout>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private busy = false;
  private leaving = false;
  private failures = 0;

  constructor(options: TrackerOptions) {
    this.o = {
      inactivityMs: 30 * MINUTE,
      heartbeatMs: 5 * MINUTE,
      batchSize: 5,
      flushMs: 5000,
      maxQueued: 500,
      resumeMs: 10_000,
      ...options,
      endpoint: options.endpoint.replace(/\/+$/, ""),
    };
    const env = (this.env = { ...browserEnvironment(), ...options.env });
    let tab = env.tabStorage?.getItem(TAB);
    if (!tab) {
      tab = env.uuid();
      env.tabStorage?.setItem(TAB, tab);
    }
    this.name = PREFIX + tab;
    this.s = this.read(this.name) ?? { session: null, buffer: [], queue: [], dropped: 0, touched: 0, idle: 0 };
    this.s.idle = this.o.inactivityMs;
    env.listen("window", "online", () => this.pump(true));
    env.listen("window", "pagehide", () => this.hide());
    env.listen("window", "pageshow", (event) => event.persisted && this.s.session && this.start(this.s.session.userId));
    env.listen("document", "visibilitychange", () => this.visibility());
    this.adopt();
    this.pump();
  }

  /** The open session's id (null before start and after end). */
  get sessionId(): string | null {
    return this.s.unloadedAt === undefined ? (this.s.session?.id ?? null) : null;
  }

  /** Events waiting for the network, and events dropped since the last report. */
  stats(): { queued: number; buffered: number; dropped: number } {
    return { queued: this.s.queue.reduce((n, item) => n + item.n, 0), buffered: this.s.buffer.length, dropped: this.s.dropped };
  }

  /**
   * Starts the user's session, or goes on with it: the tab's session kept from before a reload
   * resumes when it is recent (ended as `timeout` at its last activity when not).
   */
  start(userId: string): string {
    const now = Date.now();
    const open = this.s.session;
    if (open && open.userId === userId) {
      const hiddenAt = this.s.unloadedAt;
      delete this.s.unloadedAt;
      if (hiddenAt === undefined ? now - open.last <= this.o.inactivityMs : now - hiddenAt <= this.o.resumeMs) {
        // Back again: an unload end not sent yet is taken back, one sent is cancelled by the
        // heartbeat (the collector waits before it writes it).
        this.s.queue = this.s.queue.filter((item) => !item.unload);
        this.heartbeat(now);
        this.timers();
        return open.id;
      }
      if (hiddenAt === undefined) this.finish("timeout", open.last);
      else this.s.session = null; // its unload end is the end
    } else if (open) {
      this.end("logout");
    }
    const id = this.env.uuid();
    this.s.session = { id, userId, last: now };
    this.enqueue({
      path: "/start",
      body: {
        id,
        userId,
        device: this.env.device(),
        entry: { page: this.env.page(), referrer: this.env.referrer(), campaign: this.env.campaign() },
        timestamp: iso(now),
        event_id: `${id}:start`,
      },
      n: 1,
    });
    this.timers();
    return id;
  }

  /** Tracks an action (the spec's `{action, data, timestamp}`); returns the event's id. */
  trackActivity(action: string, data?: unknown): string | undefined {
    return this.track({ action, data });
  }

  trackPageView(page?: string): string | undefined {
    return this.track({ event_type: "page_view", page });
  }

  trackError(message: string, data?: unknown): string | undefined {
    return this.track({ event_type: "error", action: message, data });
  }

  /** Sends the buffered activities now. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const open = this.s.session;
    if (open && this.s.buffer.length) {
      this.enqueue({ path: `/${open.id}/events`, body: { events: this.s.buffer }, n: this.s.buffer.length });
      this.s.buffer = [];
    }
  }

  /** Ends the session (after sending what is buffered). */
  end(reason: ExitReason = "logout"): void {
    if (this.s.session) this.finish(reason, Date.now());
  }

  private track(fields: Record<string, unknown>): string | undefined {
    const open = this.s.session;
    if (!open) return undefined;
    const now = Date.now();
    if (this.s.unloadedAt !== undefined || now - open.last > this.o.inactivityMs) this.start(open.userId);
    const session = this.s.session!;
    session.last = now;
    const id = this.env.uuid();
    this.s.buffer.push({ event_id: id, ...fields, page: fields.page ?? this.env.page(), timestamp: iso(now) });
    if (this.s.buffer.length >= this.o.batchSize) this.flush();
    else {
      this.flushTimer ??= setTimeout(() => this.flush(), this.o.flushMs);
      this.save();
    }
    return id;
  }

  private finish(reason: ExitReason, at: number, unload = false): void {
    const open = this.s.session!;
    this.flush();
    this.enqueue({
      path: `/${open.id}/end`,
      body: { reason, timestamp: iso(at), page: this.env.page(), ...(unload ? { unload } : {}) },
      n: 1,
      unload,
    });
    if (unload) this.s.unloadedAt = at;
    else this.s.session = null;
    this.timers();
    this.save();
  }

  private heartbeat(now = Date.now()): void {
    const open = this.s.session;
    if (!open) return;
    if (now - open.last > this.o.inactivityMs) {
      this.finish("timeout", open.last);
      this.start(open.userId);
      return;
    }
    open.last = now;
    this.enqueue({ path: `/${open.id}/heartbeat`, body: { timestamp: iso(now), event_id: this.env.uuid() }, n: 1 });
  }

  private timers(): void {
    clearInterval(this.heartbeats);
    this.heartbeats = undefined;
    if (this.sessionId && this.env.visible()) {
      this.heartbeats = setInterval(() => this.heartbeat(), this.o.heartbeatMs);
    }
  }

  private visibility(): void {
    const open = this.s.session;
    if (this.env.visible()) {
      if (open && this.s.unloadedAt === undefined && Date.now() - open.last > this.o.inactivityMs) {
        this.finish("timeout", open.last);
        this.start(open.userId);
      }
      this.timers();
    } else {
      this.flush();
      this.timers();
    }
  }

  /** pagehide: the page may not come back (a closed tab) or may (a reload, the app's next page). */
  private hide(): void {
    this.leaving = true; // what is queued now goes by beacon, not fetch
    const open = this.s.session;
    if (open && this.s.unloadedAt === undefined) {
      const now = Date.now();
      if (now - open.last > this.o.inactivityMs) this.finish("timeout", open.last);
      else this.finish("navigation", now, true);
    }
    this.flush();
    // What waits goes now with sendBeacon (delivered after the page is gone), in order.
    while (this.env.online() && this.env.sendBeacon && this.s.queue.length) {
      const item = this.s.queue[0];
      if (!this.env.sendBeacon(this.url(item, true), JSON.stringify(this.body(item)))) break;
      this.s.queue.shift();
      this.s.dropped = 0; // reported in the body
    }
    this.leaving = false;
    this.save();
  }

  private url(item: Item, beacon = false): string {
    const key = beacon && this.o.publishableKey ? `?key=${encodeURIComponent(this.o.publishableKey)}` : "";
    return this.o.endpoint + item.path + key;
  }

  private body(item: Item): Record<string, unknown> {
    return { ...item.body, sent_at: iso(Date.now()), ...(this.s.dropped ? { dropped: this.s.dropped } : {}) };
  }

  private enqueue(item: Item): void {
    const queue = this.s.queue;
    queue.push(item);
    let queued = queue.reduce((n, each) => n + each.n, 0);
    while (queued > this.o.maxQueued && queue.length > 1) {
      // The oldest waiting item goes (not the one being sent).
      const [gone] = queue.splice(this.busy ? 1 : 0, 1);
      queued -= gone.n;
      this.drop(gone.n, "the offline queue is full");
    }
    this.save();
    this.pump();
  }

  private drop(count: number, reason: string): void {
    this.s.dropped += count;
    console.warn(`sessions tracker: ${count} event(s) dropped: ${reason}`);
    this.o.onDrop?.(count, reason);
  }

  private async pump(again = false): Promise<void> {
    if (again) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.failures = 0;
    }
    const item = this.s.queue[0];
    if (this.busy || this.leaving || this.retryTimer || !item || !this.env.online()) return;
    this.busy = true;
    const reported = this.s.dropped;
    let status = 0;
    try {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (this.o.publishableKey) headers.Authorization = `Bearer ${this.o.publishableKey}`;
      status = (await this.env.fetch(this.url(item), { method: "POST", headers, body: JSON.stringify(this.body(item)) })).status;
    } catch {
      status = 0; // offline, refused, or the answer lacked CORS headers
    }
    this.busy = false;
    if (status >= 200 && status < 500 && status !== 408 && status !== 429) {
      if (this.s.queue[0] === item) this.s.queue.shift();
      this.failures = 0;
      if (status < 300) this.s.dropped = Math.max(0, this.s.dropped - reported);
      else this.refused(item, status);
      this.save();
      this.pump();
    } else {
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(this.failures++, 6)) * (0.5 + Math.random() / 2);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delay);
    }
  }

  private refused(item: Item, status: number): void {
    const open = this.s.session;
    if (status === 409 && item.path.endsWith("/end")) return; // ended already
    if (status === 409 && open && item.path.startsWith(`/${open.id}/`)) {
      // The collector has ended the session (the page came back after it wrote the unload
      // end): a new session, and the events go with it.
      this.s.session = null;
      const id = this.start(open.userId);
      if (item.path.endsWith("/events")) this.enqueue({ ...item, path: `/${id}/events` });
      return;
    }
    this.drop(item.n, `the collector refused it (HTTP ${status})`);
  }

  private read(name: string): State | null {
    try {
      const raw = this.env.storage?.getItem(name);
      return raw ? (JSON.parse(raw) as State) : null;
    } catch {
      return null;
    }
  }

  private save(): void {
    this.s.touched = Date.now();
    try {
      this.env.storage?.setItem(this.name, JSON.stringify(this.s));
    } catch {
      // Storage full or disabled: the state stays in memory.
    }
  }

  /** The entries of tabs that are gone (closed, or crashed): their events are sent from here,
   * and a session they left open is ended as `timeout` at its last activity. */
  private adopt(): void {
    const storage = this.env.storage;
    if (!storage) return;
    const now = Date.now();
    const names: string[] = [];
    for (let i = 0; i < storage.length; i++) names.push(storage.key(i) ?? "");
    const adopted: Item[] = [];
    for (const name of names) {
      if (!name.startsWith(PREFIX) || name === TAB || name === this.name) continue;
      const other = this.read(name);
      // A tab is gone when it went and did not come back, or when it has not written its
      // entry for its own inactivity time (a visible tab writes it with every heartbeat).
      if (other && (other.unloadedAt === undefined ? now - other.touched <= (other.idle || 30 * MINUTE) : now - other.unloadedAt <= this.o.resumeMs)) {
        continue; // a live tab, or one reloading
      }
      storage.removeItem(name);
      if (!other) continue;
      adopted.push(...other.queue.map((item) => ({ ...item, unload: false, body: { ...item.body, unload: undefined } })));
      const open = other.session;
      if (open && other.buffer.length) adopted.push({ path: `/${open.id}/events`, body: { events: other.buffer }, n: other.buffer.length });
      if (open && other.unloadedAt === undefined) adopted.push({ path: `/${open.id}/end`, body: { reason: "timeout", timestamp: iso(open.last) }, n: 1 });
      this.s.dropped += other.dropped;
    }
    if (adopted.length) {
      this.s.queue.unshift(...adopted);
      this.save();
    }
  }
}
