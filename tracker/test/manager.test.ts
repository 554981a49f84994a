import assert from "node:assert/strict";
import { afterEach, mock, test } from "node:test";
import { Browser, START, done, settle, tick } from "./harness";

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

afterEach(done);

test("start sends the client's own session id, the user, device and entry, with the send time and key", async () => {
  const browser = new Browser();
  const page = browser.page();
  const id = page.manager.start("u1");
  await settle();
  assert.equal(page.manager.sessionId, id);
  const [start] = browser.sent;
  assert.equal(start.url, "https://collector.test/api/v1/sessions/start");
  assert.equal(start.headers.Authorization, "Bearer pk-test");
  assert.deepEqual(start.body, {
    id,
    userId: "u1",
    device: { type: "desktop", browser: "Test", os: "Test", screenSize: "800x600" },
    entry: { page: "/reports", referrer: "https://search.example.net/" },
    timestamp: iso(START),
    event_id: `${id}:start`,
    sent_at: iso(START),
  });
});

test("activities are buffered by 5, sent on a timer too, each with its own id", async () => {
  const browser = new Browser();
  const page = browser.page({ flushMs: 5000 });
  const id = page.manager.start("u1");
  const ids = [];
  for (let n = 0; n < 7; n++) {
    ids.push(page.manager.trackActivity(`click-${n}`, { n }));
    await tick(100);
  }
  const batches = browser.to("/events");
  assert.equal(batches.length, 1, "five went together");
  assert.equal(batches[0].path, `/${id}/events`);
  assert.deepEqual(
    batches[0].body.events.map((event: any) => [event.action, event.data.n, event.timestamp]),
    [0, 1, 2, 3, 4].map((n) => [`click-${n}`, n, iso(START + n * 100)]),
  );
  await tick(5000);
  assert.equal(browser.to("/events").length, 2, "the other two on the timer");
  assert.deepEqual(
    browser.events().map((event) => event.event_id),
    ids,
  );
  assert.equal(new Set(ids).size, 7);
});

test("end sends the buffer first, then the end; no session after", async () => {
  const browser = new Browser();
  const page = browser.page();
  const id = page.manager.start("u1");
  page.manager.trackActivity("a");
  page.manager.end("logout");
  await settle(20);
  assert.deepEqual(
    browser.sent.map((sent) => sent.path),
    ["/start", `/${id}/events`, `/${id}/end`],
  );
  assert.equal(browser.sent[2].body.reason, "logout");
  assert.equal(page.manager.sessionId, null);
  assert.equal(page.manager.trackActivity("ignored"), undefined);
});

test("30 minutes idle: the session ends as timeout at its last activity and a new one starts", async () => {
  const browser = new Browser();
  const page = browser.page({ heartbeatMs: 60 * MINUTE });
  const first = page.manager.start("u1");
  await tick(MINUTE);
  page.manager.trackActivity("before");
  await tick(31 * MINUTE);
  page.manager.trackActivity("after");
  page.manager.flush();
  await settle(20);
  const second = page.manager.sessionId!;
  assert.notEqual(second, first);
  const [end] = browser.to(`/${first}/end`);
  assert.equal(end.body.reason, "timeout");
  assert.equal(end.body.timestamp, iso(START + MINUTE));
  const starts = browser.to("/start");
  assert.equal(starts[1].body.id, second);
  assert.equal(browser.to(`/${second}/events`)[0].body.events[0].action, "after");
});

test("heartbeats every 5 minutes while visible, none while hidden; back after 40 minutes hidden is a new session", async () => {
  const browser = new Browser();
  const page = browser.page();
  const first = page.manager.start("u1");
  await tick(16 * MINUTE);
  assert.equal(browser.to("/heartbeat").length, 3);
  page.hide();
  await tick(40 * MINUTE);
  assert.equal(browser.to("/heartbeat").length, 3);
  page.show();
  await settle(20);
  const [end] = browser.to(`/${first}/end`);
  assert.equal(end.body.reason, "timeout");
  assert.equal(end.body.timestamp, iso(START + 15 * MINUTE), "at the last heartbeat");
  assert.notEqual(page.manager.sessionId, first);
  await tick(5 * MINUTE);
  assert.equal(browser.to(`/${page.manager.sessionId}/heartbeat`).length, 1);
});

test("the open session and the unsent buffer survive a reload and resume within the timeout", async () => {
  const browser = new Browser();
  const page = browser.page();
  const id = page.manager.start("u1");
  page.manager.trackActivity("kept");
  await settle();
  browser.online = false; // the buffer cannot be sent before the page goes
  page.fire("pagehide", { persisted: false });
  browser.online = true;
  await tick(2000);
  const reloaded = browser.page({}, page.tab);
  assert.equal(reloaded.manager.start("u1"), id, "resumed");
  await settle(20);
  assert.equal(browser.to("/end").length, 0, "the unload end was taken back");
  assert.deepEqual(
    browser.events().map((event) => event.action),
    ["kept"],
  );
  assert.equal(browser.to(`/${id}/heartbeat`).length, 1, "the collector hears it goes on");
});

test("a page hidden for good sends its end with sendBeacon, key in the query; back soon it resumes, late it starts anew", async () => {
  const browser = new Browser();
  const page = browser.page({ resumeMs: 10_000 });
  const id = page.manager.start("u1");
  page.manager.trackActivity("last");
  await settle(20);
  page.leave();
  // The buffer went with fetch as the page was hidden, and again by beacon (a fetch may not
  // outlive the page; the collector counts an event id once).
  const beacons = browser.sent.filter((sent) => sent.beacon);
  assert.deepEqual(
    beacons.map((sent) => sent.path),
    [`/${id}/events`, `/${id}/end`],
  );
  assert.equal(browser.to(`/${id}/end`).filter((sent) => !sent.beacon).length, 0);
  assert.match(beacons[1].url, /\?key=pk-test$/);
  assert.equal(beacons[1].body.reason, "navigation");
  assert.equal(beacons[1].body.unload, true);
  assert.ok(beacons[1].body.sent_at);
  // A reload: the same tab within resumeMs goes on with its session.
  await tick(3000);
  const reloaded = browser.page({ resumeMs: 10_000 }, page.tab);
  assert.equal(reloaded.manager.start("u1"), id);
  await settle(20);
  // Gone again, back after resumeMs: the collector has written the end; a new session.
  reloaded.leave();
  await tick(20_000);
  const later = browser.page({ resumeMs: 10_000 }, page.tab);
  const next = later.manager.start("u1");
  assert.notEqual(next, id);
  await settle(20);
  assert.equal(browser.to(`/${id}/end`).length, 2, "no end besides the two unload ends");
});

test("a tab that crashed is ended as timeout at its last activity when it comes back late", async () => {
  const browser = new Browser();
  const page = browser.page();
  const id = page.manager.start("u1");
  page.manager.trackActivity("x");
  page.manager.flush();
  await settle(20);
  // No pagehide: the tab crashed (its timers are gone). It comes back 2 hours later.
  const crashedAt = Date.now();
  mock.timers.setTime(crashedAt + 120 * MINUTE);
  const reloaded = browser.page({}, page.tab);
  const next = reloaded.manager.start("u1");
  await settle(20);
  assert.notEqual(next, id);
  const [end] = browser.to(`/${id}/end`);
  assert.equal(end.body.reason, "timeout");
  assert.equal(end.body.timestamp, iso(crashedAt));
});

test("failed sends are retried with backoff, the same event ids and a new send time; offline waits for online", async () => {
  const browser = new Browser();
  let failures = 2;
  browser.answer = () => (failures-- > 0 ? 503 : 200);
  const page = browser.page({ batchSize: 1 });
  page.manager.start("u1");
  await settle();
  assert.equal(browser.sent.length, 1);
  await tick(1000);
  assert.equal(browser.sent.length, 2, "first retry within 1 s");
  await tick(2000);
  assert.equal(browser.sent.length, 3, "second within 2 s more");
  assert.deepEqual(
    browser.sent.map((sent) => sent.body.event_id),
    Array(3).fill(browser.sent[0].body.event_id),
  );
  assert.notEqual(browser.sent[0].body.sent_at, browser.sent[2].body.sent_at);
  browser.online = false;
  const ids = [page.manager.trackActivity("a"), page.manager.trackActivity("b")];
  await tick(10 * MINUTE);
  assert.equal(browser.events().length, 0);
  browser.online = true;
  page.fire("online");
  await settle(20);
  assert.deepEqual(
    browser.events().map((event) => event.event_id),
    ids,
  );
  const stored = JSON.parse(browser.storage.getItem(`sessions-tracker:${page.tab.getItem("sessions-tracker:tab")}`)!);
  assert.equal(stored.queue.length, 0);
});

test("the offline queue is bounded: drops are counted, reported to onDrop and to the collector", async () => {
  const browser = new Browser();
  const drops: number[] = [];
  const page = browser.page({ batchSize: 1, maxQueued: 5, onDrop: (count) => drops.push(count) });
  browser.online = false;
  page.manager.start("u1");
  for (let n = 0; n < 8; n++) page.manager.trackActivity(`a${n}`);
  assert.equal(page.manager.stats().queued, 5);
  assert.equal(page.manager.stats().dropped, 4);
  assert.deepEqual(drops, [1, 1, 1, 1]);
  browser.online = true;
  page.fire("online");
  await settle(20);
  assert.equal(browser.sent[0].body.dropped, 4, "the first request says so");
  assert.equal(browser.sent[1].body.dropped, undefined);
  assert.deepEqual(
    browser.events().map((event) => event.action),
    ["a3", "a4", "a5", "a6", "a7"],
  );
});

test("an event the collector refuses for good is dropped and counted, not retried", async () => {
  const browser = new Browser();
  browser.answer = (sent) => (sent.path.endsWith("/events") ? 422 : 200);
  const drops: string[] = [];
  const page = browser.page({ batchSize: 2, onDrop: (_count, reason) => drops.push(reason) });
  page.manager.start("u1");
  page.manager.trackActivity("a");
  page.manager.trackActivity("b");
  await tick(60_000);
  assert.equal(browser.to("/events").length, 1);
  assert.equal(page.manager.stats().dropped, 2);
  assert.deepEqual(drops, ["the collector refused it (HTTP 422)"]);
});

test("tabs have sessions of their own; a closed tab's unsent events are sent by the next page", async () => {
  const browser = new Browser();
  const one = browser.page();
  const two = browser.page();
  const first = one.manager.start("u1");
  const second = two.manager.start("u1");
  assert.notEqual(first, second);
  await settle(20);
  browser.online = false;
  one.manager.trackActivity("from one");
  one.leave(); // offline: nothing goes, all stays in localStorage
  browser.online = true;
  await tick(60_000);
  const third = browser.page();
  third.manager.start("u1");
  await settle(20);
  assert.deepEqual(
    browser.events().map((event) => event.action),
    ["from one"],
  );
  const [end] = browser.to(`/${first}/end`);
  assert.equal(end.body.reason, "navigation");
  assert.equal(end.body.unload, undefined, "sent by another page: final");
  assert.equal(browser.to(`/${second}/end`).length, 0, "the other live tab is left alone");
});

test("the collector ended the session while the page was away: a new session", async () => {
  const browser = new Browser();
  const page = browser.page({ resumeMs: 60_000 });
  const id = page.manager.start("u1");
  await settle(20);
  page.leave();
  await tick(5000);
  browser.answer = (sent) => (sent.path === `/${id}/heartbeat` ? 409 : 200);
  const reloaded = browser.page({ resumeMs: 60_000 }, page.tab);
  assert.equal(reloaded.manager.start("u1"), id);
  await settle(20);
  assert.notEqual(reloaded.manager.sessionId, id);
  assert.equal(browser.to("/start").length, 2);
  assert.equal(reloaded.manager.stats().dropped, 0);
});


test("a tab is judged gone by its own inactivity time, not another page's", async () => {
  const browser = new Browser();
  const patient = browser.page();
  const id = patient.manager.start("u1");
  await tick(10_000);
  const hasty = browser.page({ inactivityMs: 2500 });
  hasty.manager.start("u2");
  await settle(20);
  assert.equal(browser.to(`/${id}/end`).length, 0);
  assert.equal(patient.manager.sessionId, id);
});

test("events of a session the collector has ended go to a new session, not lost", async () => {
  const browser = new Browser();
  const page = browser.page({ batchSize: 1 });
  const first = page.manager.start("u1");
  await settle(20);
  browser.answer = (sent) => (sent.path === `/${first}/events` ? 409 : 200);
  const eventId = page.manager.trackActivity("late");
  await settle(20);
  const second = page.manager.sessionId!;
  assert.notEqual(second, first);
  const [moved] = browser.to(`/${second}/events`);
  assert.deepEqual(
    moved.body.events.map((event: any) => event.event_id),
    [eventId],
  );
  assert.equal(page.manager.stats().dropped, 0);
});
