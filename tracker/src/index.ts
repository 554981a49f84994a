export { SessionManager } from "./manager";
export type { Environment, TrackerOptions } from "./manager";
export { getDeviceInfo } from "./device";
export { activeSessions, sessionHistory } from "./read";
export type { DeviceInfo, EntryPoint, ExitPoint, ExitReason, UserSession } from "./types";
