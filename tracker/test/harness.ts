// A browser for SessionManager's unit tests: storages, a network that can fail, visibility,
// listeners, beacons; time is node:test's mock timers (Date included).
import { mock } from "node:test";
import { SessionManager, type Environment, type TrackerOptions } from "../src/manager";

export class FakeStorage implements Storage {
  private map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
}

export interface Sent {
  url: string;
  path: string;
  body: any;
  headers: Record<string, string>;
  beacon: boolean;
}

export const ENDPOINT = "https://collector.test/api/v1/sessions";
export const START = Date.UTC(2024, 0, 20, 12, 0, 0);

/** One browser (one localStorage); each page() is a tab or a reload of one. */
export class Browser {
  storage = new FakeStorage();
  online = true;
  sent: Sent[] = [];
  /** The status the collector answers a request with (0: the network fails). */
  answer: (sent: Sent) => number = () => 200;
  private ids = 0;

  constructor() {
    mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: START });
  }

  page(options: Partial<TrackerOptions> = {}, tab = new FakeStorage()): Page {
    return new Page(this, tab, options);
  }

  uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.ids).padStart(12, "0")}`;
  }

  record(url: string, body: string, headers: Record<string, string>, beacon: boolean): Sent {
    const path = url.slice(ENDPOINT.length).split("?")[0];
    const sent = { url, path, body: JSON.parse(body), headers, beacon };
    this.sent.push(sent);
    return sent;
  }

  /** Requests (fetch and beacon) whose path ends with `suffix`. */
  to(suffix: string): Sent[] {
    return this.sent.filter((sent) => sent.path.endsWith(suffix));
  }

  /** Every event sent, in the order sent (a retried one as often as it was sent). */
  events(): any[] {
    return this.sent.filter((sent) => sent.path.endsWith("/events")).flatMap((sent) => sent.body.events);
  }
}

export class Page {
  visible = true;
  manager: SessionManager;
  private listeners = new Map<string, ((event: any) => void)[]>();

  constructor(
    readonly browser: Browser,
    readonly tab: FakeStorage,
    options: Partial<TrackerOptions>,
  ) {
    const env: Environment = {
      fetch: async (url, init) => {
        if (!browser.online) throw new TypeError("Failed to fetch");
        const sent = browser.record(url, String(init.body), init.headers as Record<string, string>, false);
        const status = browser.answer(sent);
        if (status === 0) throw new TypeError("Failed to fetch");
        return { status };
      },
      storage: browser.storage,
      tabStorage: tab,
      sendBeacon: (url, body) => {
        browser.record(url, body, {}, true);
        return true;
      },
      online: () => browser.online,
      visible: () => this.visible,
      page: () => "/reports",
      referrer: () => "https://search.example.net/",
      campaign: () => undefined,
      device: () => ({ type: "desktop", browser: "Test", os: "Test", screenSize: "800x600" }),
      uuid: () => browser.uuid(),
      listen: (_target, type, handler) => {
        this.listeners.set(type, [...(this.listeners.get(type) ?? []), handler]);
      },
    };
    this.manager = new SessionManager({ endpoint: ENDPOINT, publishableKey: "pk-test", ...options, env });
  }

  fire(type: string, event: any = {}): void {
    for (const handler of this.listeners.get(type) ?? []) handler(event);
  }

  hide(): void {
    this.visible = false;
    this.fire("visibilitychange");
  }

  show(): void {
    this.visible = true;
    this.fire("visibilitychange");
  }

  /** The page goes (pagehide); a reload is browser.page({}, page.tab) after it. */
  leave(): void {
    this.hide();
    this.fire("pagehide", { persisted: false });
  }
}

/** Lets the fake network's promises settle (mock timers leave setImmediate alone). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the clock on by `ms`, a second at a time (a timer fires at its own time: one big
 * step would show every timer the step's end), letting promises settle. */
export async function tick(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    mock.timers.tick(Math.min(left, 1000));
    await settle(1);
  }
  await settle();
}

export function done(): void {
  mock.timers.reset();
}
