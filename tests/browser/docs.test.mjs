// Proves the docs page works in a real browser: headless Chromium loads it
// from gophermart's docs listener, every endpoint is listed, and "Try it out"
// on register executes against the API on its own port (through CORS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, gophermartBinary, launchChromium, startService, waitForListener, watchForRefusals } from "./harness.mjs";

test("the docs page lists every endpoint and Try it out reaches the API", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "gm-docs-"));
  const [apiPort, docsPort] = [await freePort(), await freePort()];
  const server = await startService(gophermartBinary, ["-a", `127.0.0.1:${apiPort}`, "-d", path.join(directory, "gm.db"),
                                                      "--openapi-address", `127.0.0.1:${docsPort}`],
                                    { JWT_KEY: "browser-test-key-of-thirty-two-bytes" }, apiPort);
  const browser = await launchChromium();
  try {
    await waitForListener(docsPort, 20000);
    const page = await browser.newPage();
    // The page's Content-Security-Policy must not stop anything it needs.
    const refused = watchForRefusals(page);
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
