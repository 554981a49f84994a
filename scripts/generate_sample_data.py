"""Write the bundled sample input files under data/sample/ (deterministic: same output every run).

Usage: python scripts/generate_sample_data.py [--out data/sample]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

CHAT_START = datetime(2016, 11, 8, 14, 0, 0, tzinfo=UTC)


def _iso(moment: datetime, rng: random.Random) -> str:
    """Render a timestamp in one of the ISO-8601 spellings the chat source emits."""
    style = rng.random()
    if style < 0.7:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        offset = timezone(timedelta(hours=2))
        return moment.astimezone(offset).isoformat()
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def chat_lines(rng: random.Random, users: int = 12, channels: int = 4) -> list[str]:
    """Chat events of several users in bursts separated by idle gaps, shuffled out of time order."""
    events: list[dict[str, str]] = []
    for user in range(1, users + 1):
        moment = CHAT_START + timedelta(seconds=rng.randint(0, 600))
        for _burst in range(rng.randint(1, 5)):
            for _message in range(rng.randint(1, 8)):
                events.append(
                    {
                        "event_name": "send_message",
                        "timestamp": _iso(moment, rng),
                        "user_id": str(user),
                        "channel_id": str(rng.randint(1, channels)),
                    }
                )
                moment += timedelta(seconds=rng.choice([1, 5, 12, 29, 30]))
            moment += timedelta(seconds=rng.choice([31, 45, 300, 3600]))
    rng.shuffle(events)
    return [json.dumps(event) for event in events]


def write_chat(out: Path, rng: random.Random) -> None:
    lines = chat_lines(rng)
    half = len(lines) // 2
    # A few lines the project must quarantine rather than drop.
    bad_lines = [
        '{"event_name": "send_message", "timestamp": "2016-11-08T14:',
        json.dumps(
            {
                "event_name": "send_message",
                "timestamp": "not a time",
                "user_id": "3",
                "channel_id": "1",
            }
        ),
        json.dumps(
            {"event_name": "send_message", "timestamp": "2016-11-08T14:20:00Z", "channel_id": "2"}
        ),
    ]
    folder = out / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages_part1.jsonl").write_text("\n".join(lines[:half]) + "\n", encoding="utf-8")
    (folder / "messages_part2.jsonl").write_text(
        "\n".join(lines[half:] + bad_lines) + "\n", encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/sample"))
    args = parser.parse_args()
    write_chat(args.out, random.Random(20161108))


if __name__ == "__main__":
    main()
