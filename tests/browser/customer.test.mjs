// The customer page's whole journey in headless Chromium, on a phone-sized
// screen, against the real gophermart and our accrual system: sign up (with
// the keyboard), upload an order and see it become PROCESSED without a
// reload, the chart, a withdrawal, the history, refusals in words, sign out.
// Screenshots go to build/screenshots (GM_SCREENSHOTS to change).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { accrualBinary, freePort, gophermartBinary, launchChromium, startService, watchForRefusals } from "./harness.mjs";

const screenshots = path.resolve(process.env.GM_SCREENSHOTS ?? "build/screenshots");
const ORDER = "12345678903";      // passes the Luhn check
const WITHDRAWAL = "2377225624";  // so does this one

async function post(url, body) {
  const answer = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.ok(answer.status < 300, `${url}: ${answer.status} ${await answer.text()}`);
}

test("a customer signs up, sees an order credited live, spends points and signs out", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "gm-customer-"));
  mkdirSync(screenshots, { recursive: true });
  const [apiPort, accrualPort, docsPort] = [await freePort(), await freePort(), await freePort()];
  // The accrual system keeps each order PROCESSING for 3 s: long enough to
  // see the status change on the page after the upload's own refresh.
  const accrual = await startService(accrualBinary, ["-a", `127.0.0.1:${accrualPort}`, "-d", path.join(directory, "accrual.db"),
                                                     "--processing-delay", "3000"], {}, accrualPort);
  const server = await startService(gophermartBinary, ["-a", `127.0.0.1:${apiPort}`, "-d", path.join(directory, "gm.db"),
                                                       "-r", `http://127.0.0.1:${accrualPort}`, "--openapi-address", `127.0.0.1:${docsPort}`],
                                    { JWT_KEY: "browser-test-key-of-thirty-two-bytes" }, apiPort);
  const accrualApi = `http://127.0.0.1:${accrualPort}`;
  await post(`${accrualApi}/api/goods`, { match: "Pringles", reward: 10, reward_type: "%" });
  await post(`${accrualApi}/api/goods`, { match: "Coca-Cola", reward: 12.5, reward_type: "pt" });
  await post(`${accrualApi}/api/orders`, { order: ORDER, goods: [
    { description: "Чайник Tefal", price: 7000 },
    { description: "Чипсы Pringles бекон", price: 147.5 },
    { description: "Напиток Coca-Cola Zero 0.5л", price: 55 },
  ] });  // 14.75 + 12.5 = 27.25 points

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const refused = watchForRefusals(page);
    const answer = await page.goto(`http://127.0.0.1:${apiPort}/`);
    assert.match(answer.headers()["content-security-policy"], /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal(answer.headers()["x-content-type-options"], "nosniff");

    // Sign up with the keyboard alone; every control is found by its label.
    await page.getByLabel("Login").waitFor();
    await page.getByLabel("Login").focus();
    await page.keyboard.type(`customer-${Date.now()}`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "password");
    await page.keyboard.type("a-good-passphrase");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Create an account");
    await page.keyboard.press("Enter");
    await page.locator("#signed-in").waitFor({ state: "visible" });
    await page.screenshot({ path: path.join(screenshots, "customer-signed-in.png"), fullPage: true });

    // Upload: NEW or PROCESSING at first, then PROCESSED arrives by itself.
    await page.evaluate(() => { window.notReloaded = true; });
    await page.getByLabel("Order number", { exact: true }).fill(ORDER);
    await page.getByRole("button", { name: "Add the order" }).click();
    await page.locator("#upload-result", { hasText: "Added" }).waitFor();
    const row = page.locator(`#orders tr[data-number="${ORDER}"]`);
    await row.waitFor();
    assert.notEqual(await row.locator("[data-status]").getAttribute("data-status"), "PROCESSED",
                    "the accrual system holds the order PROCESSING for 3 s");
    await row.locator('[data-status="PROCESSED"]').waitFor({ timeout: 20000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload: the change came live");
    assert.equal((await row.locator("td").nth(2).textContent()).trim(), "27.25");
    await page.locator("#current", { hasText: "27.25" }).waitFor();

    // The chart of the balance over time.
    await page.locator("#chart canvas").waitFor();
    assert.match(await page.locator("#chart-caption").textContent(), /1 changes/);

    // A withdrawal, then the history with both entries.
    await page.getByLabel("New order number", { exact: true }).fill(WITHDRAWAL);
    await page.getByLabel("Points", { exact: true }).fill("20");
    await page.getByRole("button", { name: "Spend" }).click();
    await page.locator("#withdraw-result", { hasText: "Spent 20 points" }).waitFor();
    await page.locator("#current", { hasText: "7.25" }).waitFor();
    await page.locator("#withdrawn", { hasText: "20" }).waitFor();
    await page.locator("#history tbody tr").nth(1).waitFor();
    const history = await page.locator("#history tbody tr").allTextContents();
    assert.equal(history.length, 2);
    assert.match(history[0], /Spent.*2377225624.*-20.*7\.25/);
    assert.match(history[1], /Earned.*12345678903.*\+27\.25.*27\.25/);
    assert.equal((await page.locator("#withdrawals tbody tr").count()), 1);
    await page.locator("#chart-caption", { hasText: "2 changes" }).waitFor();
    await page.screenshot({ path: path.join(screenshots, "customer-journey.png"), fullPage: true });

    // Refusals, in words.
    const refusal = page.locator("#withdraw-result");
    await page.getByLabel("New order number", { exact: true }).fill("79927398713");
    await page.getByLabel("Points", { exact: true }).fill("1000");
    await page.getByRole("button", { name: "Spend" }).click();
    await refusal.filter({ hasText: "Not enough points: you have 7.25 to spend." }).waitFor();
    await page.getByLabel("New order number", { exact: true }).fill("12345678904");
    await page.getByLabel("Points", { exact: true }).fill("1");
    await page.getByRole("button", { name: "Spend" }).click();
    await refusal.filter({ hasText: "That is not an order number" }).waitFor();
    await page.getByLabel("New order number", { exact: true }).fill(WITHDRAWAL);
    await page.getByLabel("Points", { exact: true }).fill("5");
    await page.getByRole("button", { name: "Spend" }).click();
    await refusal.filter({ hasText: "used for another spending already" }).waitFor();
    await page.getByLabel("Points", { exact: true }).fill("1.234");
    await page.getByRole("button", { name: "Spend" }).click();
    await refusal.filter({ hasText: "at most two decimals" }).waitFor();
    await page.screenshot({ path: path.join(screenshots, "customer-refused.png"), fullPage: true });

    // Sign out: the cookie is gone, a reload shows the sign-in form.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#signed-out").waitFor({ state: "visible" });
    await page.reload();
    await page.locator("#signed-out").waitFor({ state: "visible" });
    assert.equal(await page.locator("#signed-in").isVisible(), false);
    assert.deepEqual(refused, [], "nothing refused by the page's policy, no script error");
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    accrual.kill("SIGTERM");
    rmSync(directory, { recursive: true, force: true });
  }
});
