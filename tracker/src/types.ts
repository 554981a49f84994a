/** The tracking spec's session objects, as the collector's API answers them (times are ISO-8601
 * text, as JSON carries them). */

export interface DeviceInfo {
  type: "desktop" | "mobile" | "tablet";
  browser: string;
  os: string;
  screenSize?: string;
}

export interface EntryPoint {
  page: string | null;
  source?: "direct" | "internal" | "external" | null;
  referrer?: string | null;
  campaign?: string | null;
}

export type ExitReason = "logout" | "timeout" | "error" | "navigation";

export interface ExitPoint {
  page: string | null;
  reason: ExitReason | "unspecified" | null;
  lastAction?: string | null;
}

export interface UserSession {
  id: string;
  userId: string;
  startTime: string;
  endTime?: string | null;
  /** Seconds from the start to the end (an open session: to its last event). */
  duration?: number | null;
  device: Partial<DeviceInfo>;
  entry: EntryPoint;
  exit?: ExitPoint | null;
  actions: number;
  errors: number | null;
}
