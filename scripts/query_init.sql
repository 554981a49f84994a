-- Run by the query tools at start: show timestamps in UTC, as they are stored.
set TimeZone = 'UTC';
