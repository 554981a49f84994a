import assert from "node:assert/strict";
import { test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { activeSessions, sessionHistory } from "../src/read";
import { ActiveSessionsView, SessionTimelineView, barWidth, formatDuration } from "../src/react";
import type { UserSession } from "../src/types";

function session(id: string, userId: string, actions: number, duration: number): UserSession {
  return { id, userId, startTime: "2024-01-20T12:00:00Z", duration, device: {}, entry: { page: "/" }, actions, errors: 0 };
}

test("the timeline's bar is min(actions x 2, 100) percent wide", () => {
  assert.deepEqual(
    [0, 1, 49, 50, 51, 400].map(barWidth),
    ["0%", "2%", "98%", "100%", "100%", "100%"],
  );
  const html = renderToStaticMarkup(
    <SessionTimelineView sessions={[session("a", "u", 7, 65), session("b", "u", 80, 7322)]} />,
  );
  assert.match(html, /width:14%/);
  assert.match(html, /width:100%/);
  assert.match(html, /1m 5s/);
  assert.match(html, /2h 2m/);
  assert.match(html, /7 actions/);
});

test("active now counts users, not sessions", () => {
  const html = renderToStaticMarkup(
    <ActiveSessionsView sessions={[session("a", "u1", 1, 1), session("b", "u1", 1, 1), session("c", "u2", 1, 1)]} />,
  );
  assert.match(html, /<div class="text-3xl font-bold">2<\/div>/);
  assert.match(html, /users online/);
});

test("durations read as people say them", () => {
  assert.deepEqual(
    [null, 0, 59, 60, 3599, 3600].map(formatDuration),
    ["–", "0s", "59s", "1m 0s", "59m 59s", "1h 0m"],
  );
});

test("the read API is called with the read key; an error says the status", async () => {
  const asked: [string, any][] = [];
  const answer = (status: number, body: unknown) =>
    (async (url: string, init: RequestInit) => {
      asked.push([url, init.headers]);
      return new Response(JSON.stringify(body), { status });
    }) as any;
  const options = { endpoint: "https://c.test/api/v1/sessions/", readKey: "r-1" };
  const sessions = [session("a", "u 1", 1, 1)];
  assert.deepEqual(await activeSessions({ ...options, fetch: answer(200, { sessions }) }), sessions);
  assert.deepEqual(await sessionHistory({ ...options, fetch: answer(200, { sessions }) }, "u 1", 3), sessions);
  assert.deepEqual(asked, [
    ["https://c.test/api/v1/sessions/active", { Authorization: "Bearer r-1" }],
    ["https://c.test/api/v1/sessions/user/u%201/history?limit=3", { Authorization: "Bearer r-1" }],
  ]);
  await assert.rejects(activeSessions({ ...options, fetch: answer(503, {}) }), /HTTP 503/);
});
