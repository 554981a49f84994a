import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { SessionManager, type TrackerOptions } from "./manager";
import { activeSessions, sessionHistory, type ReadOptions } from "./read";
import type { ExitReason, UserSession } from "./types";

export interface SessionHandle {
  /** The session started on mount (null before; a session after an idle timeout has a new id:
   * `manager.sessionId` is always the current one). */
  sessionId: string | null;
  manager: SessionManager | null;
  trackActivity: (action: string, data?: unknown) => void;
  end: (reason?: ExitReason) => void;
}

const SessionContext = createContext<SessionHandle | null>(null);
// One manager per collector and key in a page (a remount reuses it and its listeners).
const managers = new Map<string, SessionManager>();

export type SessionTrackerProps = TrackerOptions & { userId: string; children?: ReactNode };

/**
 * The spec's SessionTracker: starts the user's session on mount (resuming the tab's session
 * after a reload), heartbeats while the page is visible, and ends it as `navigation` on
 * unmount. Its children read the session with useSession().
 */
export function SessionTracker({ userId, children, ...options }: SessionTrackerProps) {
  const [handle, setHandle] = useState<SessionHandle>(() => handleOf(null, null));
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const name = `${options.endpoint} ${options.publishableKey ?? ""}`;
    let manager = managers.get(name);
    if (!manager) managers.set(name, (manager = new SessionManager(latest.current)));
    setHandle(handleOf(manager, manager.start(userId)));
    return () => manager.end("navigation");
  }, [userId, options.endpoint, options.publishableKey]);
  return <SessionContext.Provider value={handle}>{children}</SessionContext.Provider>;
}

function handleOf(manager: SessionManager | null, sessionId: string | null): SessionHandle {
  return {
    sessionId,
    manager,
    trackActivity: (action, data) => manager?.trackActivity(action, data),
    end: (reason) => manager?.end(reason),
  };
}

/** The session of the enclosing SessionTracker. */
export function useSession(): SessionHandle {
  const handle = useContext(SessionContext);
  if (!handle) throw new Error("useSession() is used inside a <SessionTracker>");
  return handle;
}

/** The bar of a session in the timeline: min(actions × 2, 100) percent (as the spec draws it). */
export function barWidth(actions: number | null | undefined): string {
  return `${Math.min((actions ?? 0) * 2, 100)}%`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function usePolled<T>(load: () => Promise<T>, initial: T, refreshMs: number, deps: unknown[]) {
  const [state, setState] = useState<{ data: T; error: string | null }>({ data: initial, error: null });
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (data) => live && setState({ data, error: null }),
        (error: Error) => live && setState((before) => ({ ...before, error: error.message })),
      );
    run();
    const timer = refreshMs > 0 ? setInterval(run, refreshMs) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, deps);
  return state;
}

/** Reads the collector's read API: for internal pages only (a read key never goes into a
 * public page). */
export type ReadProps = ReadOptions & { refreshMs?: number };

export function ActiveSessionsView({ sessions, error }: { sessions: UserSession[]; error?: string | null }) {
  const users = new Set(sessions.map((session) => session.userId)).size;
  return (
    <div className="bg-white p-4 rounded shadow">
      <h3 className="text-lg font-bold mb-2">Active Now</h3>
      <div className="text-3xl font-bold">{users}</div>
      <div className="text-sm text-gray-500">users online</div>
      {error ? <div className="text-sm text-red-600">{error}</div> : null}
    </div>
  );
}

/** The spec's ActiveSessionsWidget over GET /active (refreshed every 30 s). */
export function ActiveSessionsWidget({ refreshMs = 30_000, ...read }: ReadProps) {
  const { data, error } = usePolled(() => activeSessions(read), [] as UserSession[], refreshMs, [
    read.endpoint,
    read.readKey,
  ]);
  return <ActiveSessionsView sessions={data} error={error} />;
}

export function SessionTimelineView({ sessions, error }: { sessions: UserSession[]; error?: string | null }) {
  return (
    <div className="space-y-2">
      {error ? <div className="text-sm text-red-600">{error}</div> : null}
      {sessions.map((session) => (
        <div key={session.id} className="flex items-center space-x-4 p-2 border rounded">
          <div className="text-sm">{formatDuration(session.duration)}</div>
          <div className="flex-1">
            <div className="h-2 bg-blue-500 rounded" style={{ width: barWidth(session.actions) }} />
          </div>
          <div className="text-xs text-gray-500">{session.actions} actions</div>
        </div>
      ))}
    </div>
  );
}

/** The spec's SessionTimeline over GET /user/{userId}/history (as of the last build). */
export function SessionTimeline({ userId, limit = 10, refreshMs = 0, ...read }: ReadProps & { userId: string; limit?: number }) {
  const { data, error } = usePolled(() => sessionHistory(read, userId, limit), [] as UserSession[], refreshMs, [
    read.endpoint,
    read.readKey,
    userId,
    limit,
  ]);
  return <SessionTimelineView sessions={data} error={error} />;
}

export { SessionManager };
export type { TrackerOptions };
