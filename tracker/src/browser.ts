// The one-file build for a <script> tag: window.SessionsTracker.
export { SessionManager } from "./manager";
export { getDeviceInfo } from "./device";
