import type { DeviceInfo } from "./types";

/** The device, from the user agent and the screen (what the spec's DeviceInfo holds). */
export function getDeviceInfo(agent = globalThis.navigator?.userAgent ?? ""): DeviceInfo {
  const has = (pattern: RegExp) => pattern.test(agent);
  const screen = globalThis.screen;
  return {
    type: has(/iPad|Tablet/) ? "tablet" : has(/Mobi|Android|iPhone/) ? "mobile" : "desktop",
    browser: has(/Edg\//)
      ? "Edge"
      : has(/Firefox\//)
        ? "Firefox"
        : has(/Chrom(e|ium)\//)
          ? "Chrome"
          : has(/Safari\//)
            ? "Safari"
            : "other",
    os: has(/Windows/)
      ? "Windows"
      : has(/iPhone|iPad/)
        ? "iOS"
        : has(/Mac OS/)
          ? "macOS"
          : has(/Android/)
            ? "Android"
            : has(/Linux/)
              ? "Linux"
              : "other",
    ...(screen ? { screenSize: `${screen.width}x${screen.height}` } : {}),
  };
}
