"""Crash under load (issue 18, item 5): a bank workload on two gophermart
instances sharing one PostgreSQL database while one of them is killed with
SIGKILL every few seconds and started again on the same port and database.

For at least a minute: orders are registered in our accrual system and
uploaded, alternating between the instances, so the points arrive through
the pipeline (a worker asks accrual, applies the answer); withdrawal threads
race on the accounts through both instances, some for more than the balance
(402); readers read the balances, the withdrawals and the orders all along.
The instances are killed in turn (each one's request handlers, its accrual
worker and, with GM_QUEUE=rabbitmq, its consumer and outbox relay die
mid-work in every round, and each one restarts on the state the other wrote);
only one is down at a time, and a client whose connection fails goes to the
other one.

A withdrawal answered 200 is acknowledged, one answered 402 refused; a refused
connection (the instance is down) sent nothing, and the withdrawal goes to the
other instance; one whose connection broke mid-way or timed out, or that was
answered 5xx, has an unknown outcome. Half of
those are repeated on the other instance (same order and sum: idempotent, so
200 means it is made once, 402 that it never was); the others are resolved at
the end from the withdrawals list, where they may appear at most once.

Checked while it runs, on every read: the balance is never negative, never
shows more points than the orders uploaded so far can earn, never less spent
than the withdrawals acknowledged before the read, nothing goes backwards,
and no acknowledged withdrawal is missing from the list. Checked at the end,
on both instances: every order final with the accrual system's verdict and
credited exactly once (list, history, balance), every acknowledged withdrawal
listed exactly once, the balances equal credits less the withdrawals made, the
accrual system's view agrees, and the read models equal the log (`verify`).
No timing is asserted; every wait is bounded. The figures are printed after
the run."""

import random
import signal
import threading
import time
from collections import Counter, defaultdict

import pytest
import requests
import urllib3

from conftest import STORE, Client, new_order_number, verb

pytestmark = pytest.mark.skipif(STORE != "postgres", reason="two instances share a PostgreSQL database")

SEED = 20261218
KILL_PHASE = 60.0          # seconds of workload with kills
USERS = 4
WITHDRAWERS = 4
READERS = 2
TIMEOUT = (3, 30)          # connect, read: a timed-out request is an unknown outcome
REPEAT_FOR = 30.0          # how long an unknown withdrawal or upload is repeated
DRAIN_TIMEOUT = 90.0       # a claimed order's lease is 30 s; backoffs come on top
FINAL = ("PROCESSED", "INVALID")


class Failed:
    """A request without an answer: `sent` False when the connection was
    refused (the instance is down: nothing happened), True when it broke or
    timed out after the request may have arrived (the outcome is unknown)."""

    def __init__(self, sent, error):
        self.sent = sent
        self.error = error
        self.status_code = None
        self.text = f"no answer: {error!r}"


def answered(response):
    return not isinstance(response, Failed)


def cents(number):
    return round(number * 100)


def money(hundredths):
    return hundredths / 100


class Withdrawal:
    def __init__(self, user, order, hundredths):
        self.user, self.order, self.hundredths = user, order, hundredths
        self.outcome = "in flight"  # acked | refused | unknown
        self.repeated = False


class User:
    def __init__(self, client):
        self.login = client.login
        self.token = client.token
        self.credit_bound = 0        # what the orders whose upload has begun can earn
        self.attempted_withdrawn = 0  # every withdrawal sent, whatever its answer
        self.acked_withdrawn = 0
        self.acked_orders = {}        # withdrawal order -> hundredths, acknowledged
        self.floor_credited = 0       # the most current + withdrawn any finished read showed
        self.floor_withdrawn = 0


class Load:
    """The shared record of what was sent and answered, and what went wrong."""

    def __init__(self, servers, accrual):
        self.servers = servers
        self.accrual = accrual
        self.lock = threading.Lock()
        self.numbers = threading.Lock()
        self.stop = threading.Event()
        self.figures = Counter()
        self.anomalies = Counter()          # kind -> how many times it was seen
        self.examples = defaultdict(list)   # kind -> the first few
        self.orders = {}        # number -> dict(user, expected hundredths or None, upload outcome)
        self.withdrawals = []   # Withdrawal

    def count(self, what, by=1):
        with self.lock:
            self.figures[what] += by

    def anomaly(self, kind, message):
        with self.lock:
            self.anomalies[kind] += 1
            if len(self.examples[kind]) < 3:
                self.examples[kind].append(message)

    def number(self):
        with self.numbers:  # new_order_number's counter is not thread-safe
            return new_order_number()

    def call(self, session, method, instance, path, token, headers=None, **kw):
        """One request to one instance: its response, or Failed."""
        self.count("requests to gophermart")
        try:
            return session.request(method, self.servers[instance].url(path),
                                   headers={"Authorization": token, **(headers or {})}, timeout=TIMEOUT, **kw)
        except requests.ConnectTimeout as error:
            self.count("connections refused or not made (nothing sent)")
            return Failed(False, error)
        except requests.ConnectionError as error:
            reason = error.args[0] if error.args else None
            if isinstance(reason, urllib3.exceptions.MaxRetryError) and isinstance(
                    reason.reason, urllib3.exceptions.NewConnectionError):
                self.count("connections refused or not made (nothing sent)")
                return Failed(False, error)
            self.count("requests broken mid-way (reset, closed, timed out)")
            return Failed(True, error)
        except requests.RequestException as error:
            self.count("requests broken mid-way (reset, closed, timed out)")
            return Failed(True, error)
        except AssertionError as error:  # the response broke the OpenAPI contract (contract.py)
            self.anomaly("response outside the OpenAPI contract", str(error))
            return Failed(True, error)


def basket(rng):
    """Goods for one order and what our accrual system will make of them:
    rules Bork 10 % and Tefal 12.5 pt; prices in tenths of a point so 10 %
    is exact to the hundredth; about one order in eight matches no rule
    (INVALID)."""
    if rng.random() < 0.125:
        return [{"description": "Носки Noname", "price": money(rng.randint(1, 999) * 10)}], None
    goods, expected = [], 0
    while expected == 0:
        for _ in range(rng.randint(0, 2)):
            price = rng.randint(10, 3000) * 10
            goods.append({"description": f"Чайник Bork K{rng.randint(1, 99)}", "price": money(price)})
            expected += price // 10
        for _ in range(rng.randint(0, 2)):
            goods.append({"description": "Сковорода Tefal", "price": money(rng.randint(100, 9999))})
            expected += 1250
    if rng.random() < 0.5:
        goods.append({"description": "Пакет", "price": money(rng.randint(1, 99))})
    return goods, expected


def register_in_accrual(load, session, number, goods):
    response = session.post(load.accrual.url("/api/orders"), json={"order": number, "goods": goods}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text


def upload(load, session, user, number, instance):
    """Uploads until an answer says it is there: 202 first time, 200 when an
    earlier attempt whose connection broke did take it."""
    deadline = time.monotonic() + REPEAT_FOR
    attempts = 0
    maybe_taken = False  # an earlier attempt may have arrived
    while True:
        attempts += 1
        response = load.call(session, "POST", instance, "/api/user/orders", user.token, data=number.encode(),
                             headers={"Content-Type": "text/plain"})
        if answered(response) and response.status_code in (200, 202):
            if response.status_code == 200 and not maybe_taken:
                load.anomaly("a new order answered as uploaded before", f"{number}: 200, no earlier attempt arrived")
            return "acked" if response.status_code == 202 else "acked on a repeat"
        if answered(response) and response.status_code < 500:
            load.anomaly("unexpected answer to an upload", f"{number}: {response.status_code} {response.text[:200]}")
            return "unknown"
        if time.monotonic() > deadline:
            load.anomaly("an upload never acknowledged", f"{number}: {attempts} attempts in {REPEAT_FOR:.0f} s")
            return "unknown"
        maybe_taken = maybe_taken or getattr(response, "sent", True)  # a 5xx or a broken request
        instance = 1 - instance
        time.sleep(0.05)


def uploader(load, users):
    rng = random.Random(SEED + 1)
    session = requests.Session()
    i = 0
    while not load.stop.is_set():
        user = users[i % len(users)]
        instance = i % 2
        i += 1
        number = load.number()
        goods, expected = basket(rng)
        registered_first = rng.random() < 0.8  # else the worker hears 204 first
        if registered_first:
            register_in_accrual(load, session, number, goods)
        with load.lock:
            user.credit_bound += expected or 0
            load.orders[number] = {"user": user, "expected": expected, "upload": "in flight"}
        outcome = upload(load, session, user, number, instance)
        with load.lock:
            load.orders[number]["upload"] = outcome
        if not registered_first:
            register_in_accrual(load, session, number, goods)
        load.count("uploads acknowledged" if outcome != "unknown" else "uploads with unknown outcome")
        if outcome == "acked on a repeat":
            load.count("  of them acknowledged on a repeat (200) after a broken attempt")
        time.sleep(rng.uniform(0.05, 0.3))


def withdraw_once(load, session, withdrawal, instance):
    response = load.call(session, "POST", instance, "/api/user/balance/withdraw", withdrawal.user.token,
                         json={"order": withdrawal.order, "sum": money(withdrawal.hundredths)})
    if not answered(response):
        return "unknown" if response.sent else "not sent"
    if response.status_code >= 500:
        return "unknown"
    if response.status_code == 200:
        return "acked"
    if response.status_code == 402:
        return "refused"
    load.anomaly("unexpected answer to a withdrawal",
                 f"{withdrawal.order} {money(withdrawal.hundredths)}: {response.status_code} {response.text[:200]}")
    return "unknown"


def withdrawer(load, users, k):
    rng = random.Random(SEED + 100 + k)
    session = requests.Session()
    n = 0
    while not load.stop.is_set():
        user = rng.choice(users)
        hundredths = rng.randint(1, 2500) if rng.random() < 0.85 else rng.randint(50_000, 100_000)
        withdrawal = Withdrawal(user, load.number(), hundredths)
        with load.lock:
            user.attempted_withdrawn += hundredths
            load.withdrawals.append(withdrawal)
        instance = (k + n) % 2
        n += 1
        outcome = withdraw_once(load, session, withdrawal, instance)
        deadline = time.monotonic() + REPEAT_FOR
        while outcome == "not sent" and time.monotonic() < deadline:  # that instance is down: the other one
            load.count("withdrawals sent to the other instance after a refused connection")
            instance = 1 - instance
            outcome = withdraw_once(load, session, withdrawal, instance)
            if outcome == "not sent":
                time.sleep(0.05)
        if outcome == "not sent":
            load.anomaly("no instance took a connection", f"withdrawal {withdrawal.order} for {REPEAT_FOR:.0f} s")
            outcome = "refused"  # never sent, so never made
        if outcome == "unknown":
            load.count("withdrawals with unknown outcome at first")
            if rng.random() < 0.5:
                withdrawal.repeated = True
                deadline = time.monotonic() + REPEAT_FOR
                while outcome in ("unknown", "not sent") and time.monotonic() < deadline:
                    instance = 1 - instance
                    time.sleep(0.05)
                    outcome = withdraw_once(load, session, withdrawal, instance)
                if outcome == "not sent":
                    outcome = "unknown"
        with load.lock:
            withdrawal.outcome = outcome
            if outcome == "acked":
                user.acked_withdrawn += hundredths
                user.acked_orders[withdrawal.order] = hundredths
        time.sleep(rng.uniform(0.0, 0.15))


def reader(load, users, k):
    rng = random.Random(SEED + 200 + k)
    session = requests.Session()
    i = 0
    while not load.stop.is_set():
        user = rng.choice(users)
        instance = rng.randrange(2)
        kind = ("balance", "withdrawals", "balance", "orders")[i % 4]
        i += 1
        with load.lock:
            floor_credited, floor_withdrawn = user.floor_credited, user.floor_withdrawn
            acked_withdrawn, acked_orders = user.acked_withdrawn, dict(user.acked_orders)
        response = load.call(session, "GET", instance, f"/api/user/{kind}", user.token)
        if not answered(response) or response.status_code >= 500:
            time.sleep(0.05)
            continue
        with load.lock:
            credit_bound, attempted = user.credit_bound, user.attempted_withdrawn
            if kind == "withdrawals":
                mine = {w.order: w for w in load.withdrawals if w.user is user}
                refused = {order for order, w in mine.items() if w.outcome == "refused"}
            if kind == "orders":
                orders = {n: o for n, o in load.orders.items() if o["user"] is user}
        where = f"{user.login} on instance {instance}"
        if kind == "balance":
            load.count("balance reads checked")
            body = response.json()
            current, withdrawn = cents(body["current"]), cents(body["withdrawn"])
            if current < 0:
                load.anomaly("balance read negative", f"{where}: {body}")
            if current + withdrawn > credit_bound:
                load.anomaly("balance read above what can have been credited",
                             f"{where}: {body}, the uploaded orders earn at most {money(credit_bound)}")
            if withdrawn < acked_withdrawn:
                load.anomaly("acknowledged withdrawal missing from the balance",
                             f"{where}: withdrawn {body['withdrawn']}, acknowledged before the read {money(acked_withdrawn)}")
            if withdrawn > attempted:
                load.anomaly("balance withdrew more than was asked", f"{where}: {body}, asked {money(attempted)}")
            if current + withdrawn < floor_credited or withdrawn < floor_withdrawn:
                load.anomaly("balance went backwards",
                             f"{where}: {body} after a read that showed credited {money(floor_credited)}, "
                             f"withdrawn {money(floor_withdrawn)}")
            with load.lock:
                user.floor_credited = max(user.floor_credited, current + withdrawn)
                user.floor_withdrawn = max(user.floor_withdrawn, withdrawn)
        elif kind == "withdrawals":
            load.count("withdrawal lists checked")
            listed = [] if response.status_code == 204 else response.json()
            seen = Counter(item["order"] for item in listed)
            for order, times in seen.items():
                if times > 1:
                    load.anomaly("withdrawal listed twice", f"{where}: {order} x{times}")
            for item in listed:
                sent = mine.get(item["order"])
                if sent is None:
                    load.anomaly("withdrawal listed that was never asked for", f"{where}: {item}")
                elif cents(item["sum"]) != sent.hundredths:
                    load.anomaly("withdrawal listed with another sum", f"{where}: {item}, asked {money(sent.hundredths)}")
                if item["order"] in refused:
                    load.anomaly("refused withdrawal listed", f"{where}: {item}")
            for order in acked_orders:
                if order not in seen:
                    load.anomaly("acknowledged withdrawal missing from the list", f"{where}: {order}")
        else:
            load.count("order lists checked")
            listed = [] if response.status_code == 204 else response.json()
            for item in listed:
                order = orders.get(item["number"])
                if order is None:
                    load.anomaly("order listed that this user never uploaded", f"{where}: {item}")
                    continue
                earned = item.get("accrual")
                if item["status"] == "PROCESSED" and (order["expected"] is None or cents(earned or 0) != order["expected"]):
                    load.anomaly("order credited other than the accrual system rated it", f"{where}: {item}")
                if item["status"] == "INVALID" and order["expected"] is not None:
                    load.anomaly("order invalid though the accrual system rates it", f"{where}: {item}")
                if item["status"] not in FINAL and earned is not None:
                    load.anomaly("accrual shown on an order not final", f"{where}: {item}")


def read_list(load, session, instance, path, token):
    response = load.call(session, "GET", instance, path, token)
    if response.status_code not in (200, 204):
        load.anomaly("a read failed after the load", f"{path} on instance {instance}: {response.status_code} "
                                                      f"{response.text[:300]}")
        return []
    return [] if response.status_code == 204 else response.json()


def test_a_bank_workload_survives_sigkill_of_either_instance(make_server, make_accrual, figures_report):
    accrual = make_accrual(env={"PROCESSING_DELAY": "300"})  # each order visibly PROCESSING for a while
    for rule in ({"match": "Bork", "reward": 10, "reward_type": "%"},
                 {"match": "Tefal", "reward": 12.5, "reward_type": "pt"}):
        assert requests.post(accrual.url("/api/goods"), json=rule).status_code == 200
    env = {"ACCRUAL_SYSTEM_ADDRESS": accrual.base}
    first = make_server(env=env)
    second = make_server(env=env, database=first.database)
    servers = [first, second]
    load = Load(servers, accrual)
    users = [User(Client(servers[i % 2])) for i in range(USERS)]

    failures = []

    def guarded(target, *args):
        def run():
            try:
                target(*args)
            except BaseException as error:  # noqa: BLE001 - reported below, the test fails on it
                failures.append(f"{threading.current_thread().name}: {error!r}")
                load.stop.set()
        return run

    threads = [threading.Thread(target=guarded(uploader, load, users), name="uploader")]
    threads += [threading.Thread(target=guarded(withdrawer, load, users, k), name=f"withdrawer-{k}")
                for k in range(WITHDRAWERS)]
    threads += [threading.Thread(target=guarded(reader, load, users, k), name=f"reader-{k}") for k in range(READERS)]
    for thread in threads:
        thread.start()

    # The killer: the instances in turn (both go through crash recovery, each
    # restarting on what the other wrote meanwhile), one at a time, so the
    # other one always serves; 2 to 5 s apart, down 0 to 0.5 s, seeded.
    dice = random.Random(SEED)
    kills, victim = 0, 1
    started = time.monotonic()
    try:
        while not load.stop.is_set():
            pause, left = dice.uniform(2.0, 5.0), KILL_PHASE - (time.monotonic() - started)
            if pause >= left:  # the load ends at KILL_PHASE, both instances up
                time.sleep(max(0.0, left))
                break
            time.sleep(pause)
            status = servers[victim].kill()
            if status != -signal.SIGKILL:
                load.anomaly("an instance exited by itself", f"instance {victim} exit status {status}")
            kills += 1
            time.sleep(dice.uniform(0.0, 0.5))
            servers[victim].start()
            victim = 1 - victim
    finally:
        load_seconds = time.monotonic() - started
        load.stop.set()
        for thread in threads:
            thread.join(timeout=2 * REPEAT_FOR + 10)
    for failure in failures:
        load.anomaly("a workload thread failed", failure)
    for thread in threads:
        if thread.is_alive():
            load.anomaly("a workload thread did not stop", thread.name)
    for i, server in enumerate(servers):
        if server.process.poll() is not None:
            load.anomaly("an instance exited by itself", f"instance {i} exit status {server.process.returncode}")

    # The drain: every acknowledged order reaches the accrual system's verdict.
    session = requests.Session()
    uploaded = {n: o for n, o in load.orders.items() if o["upload"] != "unknown"}
    drain_started = time.monotonic()
    pending = set(uploaded)
    while pending and time.monotonic() - drain_started < DRAIN_TIMEOUT:
        for user in users:
            for item in read_list(load, session, 0, "/api/user/orders", user.token):
                if item["status"] in FINAL:
                    pending.discard(item["number"])
        if pending:
            time.sleep(0.5)
    drain_seconds = time.monotonic() - drain_started
    for number in sorted(pending):
        load.anomaly("an order never final", f"{number} of {uploaded[number]['user'].login}, "
                                             f"{DRAIN_TIMEOUT:.0f} s after the load")

    # The end state, on both instances.
    resolved = Counter()
    for user in users:
        mine = {n: o for n, o in load.orders.items() if o["user"] is user}
        sent = {w.order: w for w in load.withdrawals if w.user is user}
        answers = []
        for instance in (0, 1):
            where = f"{user.login} on instance {instance}"
            orders = read_list(load, session, instance, "/api/user/orders", user.token)
            withdrawals = read_list(load, session, instance, "/api/user/withdrawals", user.token)
            history = read_list(load, session, instance, "/api/user/balance/history", user.token)
            response = load.call(session, "GET", instance, "/api/user/balance", user.token)
            if response.status_code != 200:
                load.anomaly("a read failed after the load", f"balance on instance {instance}: "
                                                              f"{response.status_code} {response.text[:300]}")
                continue
            balance = response.json()
            answers.append((orders, withdrawals, history, balance))

            listed = Counter(item["number"] for item in orders)
            for number, times in listed.items():
                if times > 1:
                    load.anomaly("order listed twice", f"{where}: {number} x{times}")
                if number not in mine:
                    load.anomaly("order listed that this user never uploaded", f"{where}: {number}")
            for number, order in mine.items():
                if number not in listed and order["upload"] != "unknown":
                    load.anomaly("acknowledged upload lost", f"{where}: {number}")
            credits = 0
            for item in orders:
                order = mine.get(item["number"])
                if order is None:
                    continue
                if order["expected"] is None:
                    if item["status"] != "INVALID" or "accrual" in item:
                        load.anomaly("order not INVALID though the accrual system found nothing to reward",
                                     f"{where}: {item}")
                elif item["status"] != "PROCESSED" or cents(item.get("accrual", 0)) != order["expected"]:
                    load.anomaly("order not credited as the accrual system rated it",
                                 f"{where}: {item}, rated {money(order['expected'])}")
                else:
                    credits += order["expected"]

            seen = Counter(item["order"] for item in withdrawals)
            for order, times in seen.items():
                if times > 1:
                    load.anomaly("withdrawal listed twice", f"{where}: {order} x{times}")
            made = 0
            for item in withdrawals:
                made += cents(item["sum"])
                asked = sent.get(item["order"])
                if asked is None:
                    load.anomaly("withdrawal listed that was never asked for", f"{where}: {item}")
                elif cents(item["sum"]) != asked.hundredths:
                    load.anomaly("withdrawal listed with another sum", f"{where}: {item}, asked {money(asked.hundredths)}")
                elif asked.outcome == "refused":
                    load.anomaly("refused withdrawal listed" + (" (refused on a repeat)" if asked.repeated else ""),
                                 f"{where}: {item}")
            for order, withdrawal in sent.items():
                if withdrawal.outcome == "acked" and order not in seen:
                    load.anomaly("acknowledged withdrawal lost", f"{where}: {order} {money(withdrawal.hundredths)}")
                if instance == 0 and withdrawal.outcome in ("unknown", "in flight"):
                    resolved["made" if order in seen else "not made"] += 1

            if cents(balance["withdrawn"]) != made:
                load.anomaly("withdrawn differs from the withdrawals listed", f"{where}: {balance}, listed {money(made)}")
            if cents(balance["current"]) != credits - made:
                load.anomaly("final balance differs from credits less withdrawals",
                             f"{where}: {balance}, credits {money(credits)} less withdrawals {money(made)}")

            credited = Counter(entry["order"] for entry in history if entry["kind"] == "accrual")
            for number, order in mine.items():
                times = credited.get(number, 0)
                if order["expected"] is not None and number in listed and number not in pending and times != 1:
                    load.anomaly("order not credited exactly once in the history", f"{where}: {number} x{times}")
                if order["expected"] is None and times:
                    load.anomaly("INVALID order credited", f"{where}: {number} x{times}")
            for entry in history:
                if entry["kind"] == "accrual" and (entry["order"] not in mine or
                                                   cents(entry["amount"]) != mine[entry["order"]]["expected"]):
                    load.anomaly("history credit other than rated", f"{where}: {entry}")
            spent = Counter((e["order"], -cents(e["amount"])) for e in history if e["kind"] == "withdrawal")
            if spent != Counter((item["order"], cents(item["sum"])) for item in withdrawals):
                load.anomaly("history withdrawals differ from the list", f"{where}: {sorted(spent)}")
            running = 0
            for entry in reversed(history):  # oldest first
                running += cents(entry["amount"])
                if running < 0 or cents(entry["balance"]) != running:
                    load.anomaly("history balance wrong or negative", f"{where}: {entry}, running {money(running)}")
                    break
            if running != cents(balance["current"]):
                load.anomaly("history ends elsewhere than the balance", f"{where}: {money(running)} vs {balance}")
        if len(answers) == 2 and answers[0] != answers[1]:
            load.anomaly("the instances disagree", f"{user.login}")

    for number, order in load.orders.items():
        response = session.get(accrual.url(f"/api/orders/{number}"), timeout=TIMEOUT)
        body = response.json() if response.status_code == 200 else {}
        want = ("INVALID", None) if order["expected"] is None else ("PROCESSED", order["expected"])
        if (body.get("status"), body.get("accrual") and cents(body["accrual"])) != want:
            load.anomaly("the accrual system's view differs", f"{number}: {response.status_code} {body}, want {want}")

    checked = verb("verify", "-d", str(first.database))
    if checked.returncode != 0:
        load.anomaly("read models differ from the log (verify)", checked.stdout[-2000:])

    withdrawals = Counter(w.outcome for w in load.withdrawals)
    repeated = Counter(w.outcome for w in load.withdrawals if w.repeated)
    statuses = Counter("INVALID" if o["expected"] is None else "PROCESSED" for o in uploaded.values())
    anomalies = sum(load.anomalies.values())
    figures_report("crash under load", {
        "seconds of load with kills": f"{load_seconds:.1f}",
        "SIGKILLs (instances in turn), each restarted on its port": kills,
        "requests to gophermart (every kind, repeats included)": load.figures["requests to gophermart"],
        "  connections refused or not made (nothing sent)":
            load.figures["connections refused or not made (nothing sent)"],
        "  broken mid-way (reset, closed, timed out: outcome unknown)":
            load.figures["requests broken mid-way (reset, closed, timed out)"],
        "  balance reads checked": load.figures["balance reads checked"],
        "  withdrawal lists checked": load.figures["withdrawal lists checked"],
        "  order lists checked": load.figures["order lists checked"],
        "users": len(users),
        "uploads acknowledged (202, or 200 on a repeat)": load.figures["uploads acknowledged"],
        "  acknowledged on a repeat after a broken attempt":
            load.figures["  of them acknowledged on a repeat (200) after a broken attempt"],
        "  orders rated PROCESSED / INVALID": f"{statuses['PROCESSED']} / {statuses['INVALID']}",
        "withdrawals sent": len(load.withdrawals),
        "  acknowledged (200)": withdrawals["acked"],
        "  refused (402)": withdrawals["refused"],
        "  sent to the other instance after a refused connection":
            load.figures["withdrawals sent to the other instance after a refused connection"],
        "  unknown outcome at first (broken mid-way or 5xx)": load.figures["withdrawals with unknown outcome at first"],
        "    repeated: then acknowledged / refused / still unknown":
            f"{repeated['acked']} / {repeated['refused']} / {repeated['unknown']}",
        "    left unknown, resolved from the list: made / not made":
            f"{resolved['made']} / {resolved['not made']}",
        "acknowledged writes (uploads + withdrawals)": load.figures["uploads acknowledged"] + withdrawals["acked"],
        "seconds after the load until every order was final": f"{drain_seconds:.1f}",
        "anomalies": anomalies,
    })
    if anomalies:
        pytest.fail("\n".join(f"{kind}: {count}, e.g. " + "; ".join(load.examples[kind])
                              for kind, count in sorted(load.anomalies.items())), pytrace=False)
