// What the browser tests share: free ports, our binaries started on them,
// and Debian's Chromium, headless.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { chromium } from "playwright-core";

export const gophermartBinary = process.env.GOPHERMART_BIN ?? path.resolve("build/asan/gophermart");
export const accrualBinary = path.join(path.dirname(gophermartBinary), "accrual");

export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitForListener(port, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const connected = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Starts one of our binaries; resolves once `port` listens.
export async function startService(binary, args, env, port) {
  const child = spawn(binary, args, { env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0", ...env }, stdio: "ignore" });
  await waitForListener(port, 20000);
  return child;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Collects what a page's Content-Security-Policy refused and every script
// error: Chromium reports each refusal on the console.
export function watchForRefusals(page) {
  const refused = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  page.on("pageerror", (error) => refused.push(String(error)));
  return refused;
}
