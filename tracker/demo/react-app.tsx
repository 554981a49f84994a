// The browser test's React page: the spec's SessionTracker and useSession (section 3) from
// this package, against the collector named by window.DEMO.
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { SessionTracker, useSession } from "../src/react";

declare global {
  interface Window {
    DEMO: { endpoint: string; key: string; userId: string };
  }
}

function SaveButton() {
  const session = useSession();
  return (
    <button id="save" data-session={session.sessionId ?? ""} onClick={() => session.trackActivity("save", { from: "react" })}>
      Save
    </button>
  );
}

function App() {
  const [tracking, setTracking] = useState(true);
  const { endpoint, key, userId } = window.DEMO;
  return (
    <div>
      <button id="leave" onClick={() => setTracking(false)}>
        Leave
      </button>
      {tracking ? (
        <SessionTracker endpoint={endpoint} publishableKey={key} userId={userId} flushMs={200}>
          <SaveButton />
        </SessionTracker>
      ) : (
        <p id="left">left</p>
      )}
    </div>
  );
}

createRoot(document.getElementById("root")!).render(<App />);
