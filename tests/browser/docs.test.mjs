// Proves the docs page works in a real browser: headless Chromium loads it
// from gophermart's docs listener, every endpoint is listed, and "Try it out"
// on register executes against the API on its own port (through CORS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const binary = process.env.GOPHERMART_BIN ?? path.resolve("build/asan/gophermart");

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForListener(port, deadlineMs) {
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

test("the docs page lists every endpoint and Try it out reaches the API", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "gm-docs-"));
  const [apiPort, docsPort] = [await freePort(), await freePort()];
  const server = spawn(binary, ["-a", `127.0.0.1:${apiPort}`, "-d", path.join(directory, "gm.db"),
                                "--openapi-address", `127.0.0.1:${docsPort}`],
                       { env: { ...process.env, JWT_KEY: "browser-test-key-of-thirty-two-bytes", ASAN_OPTIONS: "detect_leaks=0" },
                         stdio: "ignore" });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    await waitForListener(apiPort, 20000);
    await waitForListener(docsPort, 20000);
    const page = await browser.newPage();
    // The page's Content-Security-Policy must not stop anything it needs:
    // Chromium reports every refusal on the console.
    const refused = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on("pageerror", (error) => refused.push(String(error)));
    await page.goto(`http://127.0.0.1:${docsPort}/`);
    await page.waitForSelector(".opblock", { timeout: 20000 });
    const operations = await page.$$eval(".opblock-summary-path", (nodes) => nodes.map((n) => n.textContent.trim()));
    for (const endpoint of ["/api/user/register", "/api/user/login", "/api/user/orders", "/api/user/balance",
                            "/api/user/balance/withdraw", "/api/user/withdrawals", "/api/user/balance/withdrawals"]) {
      assert.ok(operations.some((p) => p.replace(/\u200b/g, "") === endpoint), `${endpoint} is listed`);
    }

    const register = page.locator("#operations-users-register");
    await register.locator(".opblock-summary").click();
    await register.locator(".try-out__btn").click();
    const login = `browser-${Date.now()}`;
    await register.locator("textarea.body-param__text").fill(JSON.stringify({ login, password: "secret" }));
    await register.locator("button.execute").click();
    const status = register.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor({ timeout: 20000 });
    assert.equal((await status.textContent()).trim().slice(0, 3), "200");

    // The account really exists on the API: logging in from outside the browser works.
    const answer = await fetch(`http://127.0.0.1:${apiPort}/api/user/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login, password: "secret" }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(refused, [], "nothing refused by the page's policy, no script error");
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(directory, { recursive: true, force: true });
  }
});
