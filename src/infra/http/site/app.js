// The customer page: plain DOM over the loyalty API on the same origin. The
// session is the HttpOnly cookie the API sets on sign-in, so this script
// never sees a token; live changes come over GET /api/user/events.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const STATUS_WORDS = { NEW: "New", PROCESSING: "Being checked", PROCESSED: "Processed", INVALID: "Not eligible" };
  const points = (value) => Number(value).toLocaleString("en", { maximumFractionDigits: 2 });
  const when = (text) => new Date(text).toLocaleString("en", { dateStyle: "short", timeStyle: "short" });
  let events = null;  // the EventSource while signed in
  let chart = null;
  let available = 0;

  // One call of the API: the status, the JSON body if any, Retry-After.
  async function call(method, path, body, type = "application/json") {
    const options = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.body = body;
      options.headers["Content-Type"] = type;
    }
    try {
      const response = await fetch(path, options);
      const text = await response.text();
      const json = (response.headers.get("Content-Type") || "").startsWith("application/json") && text;
      return { status: response.status, data: json ? JSON.parse(text) : null, retryAfter: response.headers.get("Retry-After") };
    } catch (error) {
      return { status: 0, data: null, retryAfter: null };
    }
  }

  function say(element, text, kind) {
    element.textContent = text;
    element.className = kind || "";
  }

  // What to tell the customer of an answer no form expects.
  function trouble(answer) {
    if (answer.status === 0) return "The service cannot be reached; check your connection and try again.";
    if (answer.status === 429 || answer.status === 503) {
      return `The service is busy; try again in ${answer.retryAfter || "a few"} seconds.`;
    }
    return (answer.data && answer.data.error) || `Something went wrong (${answer.status}).`;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function fill(tableId, items, render) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren();
    for (const item of items) render(body.insertRow(), item);
  }

  function orderRow(row, order) {
    row.dataset.number = order.number;
    cell(row, order.number);
    const status = cell(row, STATUS_WORDS[order.status] || order.status);
    status.dataset.status = order.status;
    cell(row, order.accrual === undefined ? "" : points(order.accrual), "amount");
    cell(row, when(order.uploaded_at));
  }

  function showOrder(order) {
    const body = $("orders").tBodies[0];
    const existing = [...body.rows].find((row) => row.dataset.number === order.number);
    const row = existing || body.insertRow(0);
    row.replaceChildren();
    orderRow(row, order);
  }

  function showBalance(balance) {
    available = balance.current;
    $("current").textContent = points(balance.current);
    $("withdrawn").textContent = points(balance.withdrawn);
  }

  function drawChart(history) {
    const oldestFirst = [...history].reverse();
    const target = $("chart");
    if (chart) chart.destroy();
    chart = null;
    target.replaceChildren();
    if (oldestFirst.length === 0) {
      $("chart-caption").textContent = "Your balance over time: nothing yet.";
      return;
    }
    $("chart-caption").textContent = `Your balance over time: ${oldestFirst.length} changes.`;
    // The line starts at zero a little before the first change and runs on
    // to now at the last balance, so even one change draws a step.
    const changes = oldestFirst.map((e) => Date.parse(e.at) / 1000);
    const now = Math.max(Date.now() / 1000, changes[changes.length - 1]);
    const lead = Math.max(10, (now - changes[0]) / 20);
    const times = [changes[0] - lead, ...changes, now + lead];
    const balances = [0, ...oldestFirst.map((e) => e.balance), oldestFirst[oldestFirst.length - 1].balance];
    chart = new uPlot({
      width: Math.max(target.clientWidth, 240),
      height: 200,
      legend: { show: false },
      series: [{}, { label: "Balance", stroke: "#1c7c54", width: 2, fill: "rgba(28, 124, 84, 0.12)", paths: uPlot.paths.stepped({ align: 1 }) }],
      axes: [{}, { values: (u, ticks) => ticks.map(points) }],
    }, [times, balances], target);
  }

  let listsAsked = 0;  // only the latest reload's answers are shown

  // Reloads the lists; false when the session has ended.
  async function loadLists() {
    const asked = ++listsAsked;
    const [orders, withdrawals, history] = await Promise.all([
      call("GET", "/api/user/orders"), call("GET", "/api/user/withdrawals"), call("GET", "/api/user/balance/history"),
    ]);
    if ([orders, withdrawals, history].some((answer) => answer.status === 401)) {
      signedOut();
      return false;
    }
    if (asked !== listsAsked) return true;  // a later reload is on its way
    fill("orders", orders.status === 200 ? orders.data : [], orderRow);
    fill("withdrawals", withdrawals.status === 200 ? withdrawals.data : [], (row, w) => {
      cell(row, w.order);
      cell(row, points(w.sum), "amount");
      cell(row, when(w.processed_at));
    });
    const entries = history.status === 200 ? history.data : [];
    fill("history", entries, (row, entry) => {
      cell(row, when(entry.at));
      cell(row, `${entry.kind === "accrual" ? "Earned on" : "Spent on"} ${entry.order}`);
      cell(row, (entry.amount > 0 ? "+" : "") + points(entry.amount), "amount");
      cell(row, points(entry.balance), "amount");
    });
    drawChart(entries);
    return true;
  }

  // Live changes. The browser reconnects by itself after a dropped stream
  // (with Last-Event-ID); an answer other than 200 (the session expired, too
  // many streams) ends the EventSource for good, so the page tries again.
  function listen() {
    if (events) events.close();
    events = new EventSource("/api/user/events");
    events.addEventListener("order", (message) => showOrder(JSON.parse(message.data)));
    events.addEventListener("balance", (message) => {
      showBalance(JSON.parse(message.data));
      loadLists();
    });
    events.onerror = () => {
      if (!events || events.readyState !== EventSource.CLOSED) return;
      const closed = events;
      setTimeout(async () => {
        if (events !== closed) return;  // signed out, or listening again
        const answer = await call("GET", "/api/user/balance");
        if (answer.status === 401) return signedOut();
        if (events === closed) listen();
      }, 5000);
    };
  }

  async function signedIn() {
    $("signed-out").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    const login = sessionStorage.getItem("login");
    $("who").hidden = !login;
    $("who").textContent = login ? `Signed in as ${login}` : "";
    const balance = await call("GET", "/api/user/balance");
    if (balance.status === 401) return signedOut();
    if (balance.status === 200) showBalance(balance.data);
    if (await loadLists()) listen();
  }

  function signedOut() {
    if (events) events.close();
    events = null;
    sessionStorage.removeItem("login");
    $("signed-in").hidden = true;
    $("sign-out").hidden = true;
    $("who").hidden = true;
    $("signed-out").hidden = false;
    $("login").focus();
  }

  $("credentials").addEventListener("submit", async (event) => {
    event.preventDefault();
    const registering = event.submitter && event.submitter.value === "register";
    const login = $("login").value;
    const password = $("password").value;
    const error = $("credentials-error");
    if (!login || !password) return say(error, "Type a login and a password.", "error");
    const answer = await call("POST", registering ? "/api/user/register" : "/api/user/login",
                              JSON.stringify({ login, password }));
    if (answer.status === 200) {
      say(error, "");
      $("password").value = "";
      sessionStorage.setItem("login", login);
      return signedIn();
    }
    const words = {
      401: "Wrong login or password.",
      409: "That login is taken; choose another, or sign in.",
      400: answer.data && answer.data.error ? `Not accepted: ${answer.data.error}.` : "Not accepted.",
    };
    say(error, words[answer.status] || trouble(answer), "error");
  });

  $("upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = $("upload-result");
    const number = $("order-number").value.trim();
    if (!number) return say(result, "Type the order number from your receipt.", "refused");
    const answer = await call("POST", "/api/user/orders", number, "text/plain");
    const words = {
      202: ["Added: the store checks it now, and its points appear here.", "accepted"],
      200: ["You added this order already.", "accepted"],
      409: ["Another account added this order already.", "refused"],
      422: ["That is not an order number: check its digits.", "refused"],
      400: ["Type the order number from your receipt.", "refused"],
    };
    if (answer.status === 401) return signedOut();
    const [text, kind] = words[answer.status] || [trouble(answer), "refused"];
    say(result, text, kind);
    if (answer.status === 202) {
      $("order-number").value = "";
      loadLists();
    }
  });

  $("withdraw").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = $("withdraw-result");
    const order = $("withdraw-order").value.trim();
    const sum = $("withdraw-sum").value.trim();
    if (!order || !sum) return say(result, "Type a new order number and the points to spend.", "refused");
    if (!/^\d+(\.\d{1,2})?$/.test(sum)) {
      return say(result, "Points are a number with at most two decimals, such as 12.50.", "refused");
    }
    const answer = await call("POST", "/api/user/balance/withdraw", JSON.stringify({ order, sum: Number(sum) }));
    if (answer.status === 401) return signedOut();
    if (answer.status === 200) {
      say(result, `Spent ${points(sum)} points on order ${order}.`, "accepted");
      $("withdraw-order").value = "";
      $("withdraw-sum").value = "";
      return loadLists();
    }
    const message = (answer.data && answer.data.error) || "";
    const words = {
      402: `Not enough points: you have ${points(available)} to spend.`,
      409: "That order number was used for another spending already.",
      422: message.includes("order")
        ? "That is not an order number: check its digits."
        : message.includes("positive") ? "Spend more than zero points." : `Not accepted: ${message}.`,
      400: "Type a new order number and the points to spend.",
    };
    say(result, words[answer.status] || trouble(answer), "refused");
  });

  $("sign-out").addEventListener("click", async () => {
    await call("POST", "/api/user/logout");
    say($("notice"), "You are signed out.");
    signedOut();
  });

  window.addEventListener("resize", () => {
    if (chart) chart.setSize({ width: Math.max($("chart").clientWidth, 240), height: 200 });
  });

  // Signed in already (the cookie is still good)?
  call("GET", "/api/user/balance").then((answer) => (answer.status === 200 ? signedIn() : signedOut()));
})();
