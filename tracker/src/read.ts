import type { UserSession } from "./types";

/** The collector's read API needs a read key: for internal pages only, never a public one. */
export interface ReadOptions {
  endpoint: string;
  readKey: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

async function read<T>(options: ReadOptions, path: string): Promise<T> {
  const get = options.fetch ?? fetch;
  const response = await get(options.endpoint.replace(/\/+$/, "") + path, {
    headers: { Authorization: `Bearer ${options.readKey}` },
  });
  if (!response.ok) throw new Error(`the collector answered HTTP ${response.status} to ${path}`);
  return (await response.json()) as T;
}

/** Sessions active now (live). */
export async function activeSessions(options: ReadOptions): Promise<UserSession[]> {
  return (await read<{ sessions: UserSession[] }>(options, "/active")).sessions;
}

/** The user's latest sessions, newest first (as of the last build). */
export async function sessionHistory(options: ReadOptions, userId: string, limit = 10): Promise<UserSession[]> {
  const path = `/user/${encodeURIComponent(userId)}/history?limit=${limit}`;
  return (await read<{ sessions: UserSession[] }>(options, path)).sessions;
}
