"""The collector API: session tracking events over HTTP, written durably into the app source's
landing folder (see docs/collector.md)."""
