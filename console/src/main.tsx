import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadConfig } from "./config";
import { preloadScreen } from "./routes";
import "./styles.css";

preloadScreen(window.location.pathname);

const root = createRoot(document.getElementById("root") as HTMLElement);

loadConfig().then(
  () =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main id="main" className="centered">
        <div className="problem" role="alert">
          <h1 className="problem-title">The console could not start</h1>
          <p>{error instanceof Error ? error.message : String(error)}</p>
        </div>
      </main>,
    ),
);
