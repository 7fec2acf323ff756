import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // Every page is its own chunk (React.lazy); the entry holds the shell only.
    chunkSizeWarningLimit: 400,
    sourcemap: false,
  },
  server: { port: 5173 },
});
