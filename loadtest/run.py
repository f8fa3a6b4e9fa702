"""`make loadtest`: simulated users against a real gunicorn on PostgreSQL, with a real Celery
worker on Redis, on loopback only; then the checks that nothing was lost.

    python -m loadtest.run --org demo              # the demo organization
    python -m loadtest.run --org bench --units 1000  # a benchmark organization

1. Builds a throwaway database (`sightline_loadtest_<org>`), the organization and the plan
   (loadtest/prepare.py: an account per simulated person, disjoint cells per writer).
2. Runs `--users` users with 1-3 s of think time for `--duration` seconds (Locust, headless),
   and reports p50/p95 per page and the errors. The page figures are those of the steady
   state, after the last person has signed in (loadtest/steady.py); signing in is reported
   apart, and an error anywhere in the run counts.
3. Waits for the worker to finish, then checks that every acknowledged write is stored (the
   last acknowledged value of each cell) and that a full recompute changes nothing.
4. Runs the same users without think time for `--saturation` seconds: the throughput, in
   requests a second of the steady state.

Writes var/loadtest/<org>.json and exits 1 when a request failed, a write was lost or the
recompute changed anything."""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "loadtest"
HOST = "127.0.0.1"  # loopback only: the load never leaves this machine
P95_BUDGET_MS = 500
# The per-person rates of expensive work (bulk target writes: 30 a minute) hold in the run
# with think time; the saturation run, which has none, would meet them within seconds.
SIGN_IN_NAMES = ("sign in", "sign in page")
UNTHROTTLED = {"SIGHTLINE_RATE_IMPORT": "1000000/m", "SIGHTLINE_RATE_EXPLANATION": "1000000/m"}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--org", choices=["demo", "bench"], default="demo")
    parser.add_argument("--units", type=int, default=1000, help="for --org bench")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=120, help="seconds, with think time")
    parser.add_argument("--saturation", type=int, default=60, help="seconds, no think time")
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--keep-database", action="store_true", help="reuse a built one")
    args = parser.parse_args()
    if not 1 <= args.users <= 500 or not 1 <= args.duration <= 1800:
        parser.error("--users must be 1..500 and --duration 1..1800 seconds")
    return args


def environment(args: argparse.Namespace) -> dict[str, str]:
    database = f"sightline_loadtest_{args.org}"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "DEBUG": "false",
        "SECRET_KEY": f"load-test-only-{time.time()}-not-a-real-secret-key-0123456789",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_SETTINGS_MODULE": "scorecard.settings",
    }


def build(args: argparse.Namespace, env: dict[str, str]) -> None:
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {database}"], check=True, env=env)
    subprocess.run([*psql, f"CREATE DATABASE {database}"], check=True, env=env)
    manage = [str(BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    if args.org == "demo":
        subprocess.run(
            [*manage, "seed_demo"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    else:
        code = (
            "from kpis.benchmark import Shape, build, refresh_planner_statistics;"
            f"build(Shape(units={args.units}, kpis_per_unit=20, quarters=12));"
            "refresh_planner_statistics()"
        )
        subprocess.run(
            [*manage, "shell", "-c", code], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL
        )


def make_plan(args: argparse.Namespace) -> dict:
    from loadtest.prepare import build_plan

    # Half the users read (executives), 30 % enter actuals, 20 % set targets: the weights
    # of locustfile.py, one account and one set of cells for each.
    plan = build_plan(
        executives=max(1, args.users // 2),
        owners=max(1, args.users * 3 // 10),
        managers=max(1, args.users // 5),
    ).as_json()
    (OUT / "plan.json").write_text(json.dumps(plan))
    return plan


def start(command: list[str], env: dict[str, str], log: str) -> subprocess.Popen:
    with open(OUT / log, "w") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def web_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    server = start(
        [
            str(BIN / "gunicorn"),
            "scorecard.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.web_workers),
            "--log-level",
            "warning",
        ],
        env,
        "gunicorn.log",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{args.port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s; see var/loadtest/gunicorn.log")


def locust(
    args: argparse.Namespace, env: dict[str, str], *, name: str, seconds: int, think: bool
) -> tuple[list[dict], dict]:
    """Locust's statistics of the whole run (CSV rows) and the steady state's figures."""
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            "loadtest/locustfile.py",
            "--headless",
            "--only-summary",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(max(1, args.users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://{HOST}:{args.port}",
            "--csv",
            str(OUT / name),
            "--loglevel",
            "WARNING",
        ],
        env={
            **env,
            "LOADTEST_PLAN": str(OUT / "plan.json"),
            "LOADTEST_ACKS": str(OUT / f"{name}-acks.json"),
            "LOADTEST_THINK": "1" if think else "0",
            "LOADTEST_USERS": str(args.users),
            "LOADTEST_STEADY": str(OUT / f"{name}-steady.json"),
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
        check=False,  # Locust exits 1 when a request failed; the report says which
    )
    with open(OUT / f"{name}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    return rows, json.loads((OUT / f"{name}-steady.json").read_text())


def pages(rows: list[dict]) -> dict:
    figures = {}
    for row in rows:
        figures[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "requests_per_s": round(float(row["Requests/s"]), 1),
        }
    return figures


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def wait_for_worker(timeout: float = 300) -> None:
    """Until the worker has nothing queued or running: the recompute check needs the
    scores every acknowledged write asked for."""
    import redis
    from django.conf import settings

    from kpis import waiting
    from scorecard.celery import app

    queues = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        queued = sum(queues.llen(name) for name in ("default", "rollups", "reminders", "celery"))
        active = app.control.inspect(timeout=2).active() or {}
        busy = queued + waiting.count() + sum(len(tasks) for tasks in active.values())
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 2:
            return
        time.sleep(1)
    raise SystemExit("the worker did not finish its queue within 5 minutes")


def lost_writes(acks_path: Path) -> tuple[int, int]:
    """(cells written, cells whose stored value is not the last acknowledged one)."""
    from kpis.models import Actual, Target
    from scorecard.selectors import period_lookup

    last: dict[tuple, Decimal] = {}
    for ack in json.loads(acks_path.read_text()):
        last[(ack["kind"], ack["kpi"], ack["period"])] = Decimal(ack["value"])
    lost = 0
    for (kind, kpi_id, key), value in last.items():
        model = Actual if kind == "actual" else Target
        stored = (
            model.objects.filter(kpi_id=kpi_id, period=period_lookup(key))
            .values_list("value", flat=True)
            .first()
        )
        if stored is None or Decimal(stored) != value:
            lost += 1
            print(f"LOST: {kind} of KPI {kpi_id} in {key}: acknowledged {value}, stored {stored}")
    return len(last), lost


def recompute_changes() -> int:
    from kpis.recompute import recompute_everything

    return sum(result.written + result.deleted for result in recompute_everything())


def measured(rows: list[dict], steady: dict) -> dict:
    """A run's figures: the pages in the steady state, signing in over the whole run, and
    the whole run's failures (a request that failed while people signed in counts too)."""
    whole = pages(rows)
    return {
        "steady_seconds": steady["seconds"],
        "pages": steady["pages"],
        "sign_in": {name: row for name, row in whole.items() if name in SIGN_IN_NAMES},
        "failures": whole.get("Aggregated", {}).get("failures", 0),
    }


def report(title: str, run: dict) -> None:
    print(f"\n{title}; the steady state: {run['steady_seconds']} s after the last sign-in")
    figures = {**run["pages"], **run["sign_in"]}
    print(f"{'page':<24}{'requests':>10}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}")
    for name, row in sorted(figures.items()):
        flag = (
            ""
            if name == "Aggregated" or name in SIGN_IN_NAMES or (row["p95_ms"] or 0) < P95_BUDGET_MS
            else "  over 500 ms"
        )
        print(
            f"{name:<24}{row['requests']:>10}{row['failures']:>10}{row['p50_ms'] or 0:>9.0f}"
            f"{row['p95_ms'] or 0:>9.0f}{row['requests_per_s']:>8}{flag}"
        )


def check(name: str, result: dict) -> list[str]:
    written, lost = lost_writes(OUT / f"{name}-acks.json")
    result.update({"cells_written": written, "writes_lost": lost})
    print(f"{name}: {written} cells written, {lost} lost")
    return [f"{name}: {lost} acknowledged writes lost"] if lost else []


def main() -> int:
    args = arguments()
    OUT.mkdir(parents=True, exist_ok=True)
    env = environment(args)
    os.environ.update(env)
    import redis

    queues = redis.Redis.from_url(env["REDIS_URL"])
    queues.flushdb()  # this run's own database number only
    if not args.keep_database:
        build(args, env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    make_plan(args)
    # The build's commits and the plan's reassigned owners queued recomputes, a full one at
    # 1,000 units, which would run on the worker during the measured minutes (it took the
    # whole think run). They run here, in this process, before the clock starts instead.
    recompute_changes()
    queues.flushdb()
    worker = start(
        [
            str(BIN / "celery"),
            "-A",
            "scorecard",
            "worker",
            "--queues",
            "default,rollups,reminders",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        env,
        "worker.log",
    )
    problems: list[str] = []
    summary: dict = {"org": args.org, "users": args.users, "web_workers": args.web_workers}
    try:
        server = web_server(args, env)
        try:
            think = measured(*locust(args, env, name="think", seconds=args.duration, think=True))
        finally:
            stop(server)
        report(f"{args.users} users, 1-3 s think time, {args.duration} s", think)
        summary["think"] = think
        wait_for_worker()
        problems += check("think", summary["think"])
        changed = recompute_changes()
        summary["recompute_changes"] = changed
        print(f"a full recompute after the run changed {changed} snapshots")
        if changed:
            problems.append(f"a full recompute changed {changed} snapshots")

        server = web_server(args, {**env, **UNTHROTTLED})
        try:
            saturated = measured(
                *locust(args, env, name="saturation", seconds=args.saturation, think=False)
            )
        finally:
            stop(server)
        report(f"{args.users} users, no think time, {args.saturation} s (saturation)", saturated)
        summary["saturation"] = saturated
        wait_for_worker()
        problems += check("saturation", summary["saturation"])
    finally:
        stop(worker)
    for run in ("think", "saturation"):
        if summary[run]["failures"]:
            failures = summary[run]["failures"]
            problems.append(f"{run}: {failures} requests failed (var/loadtest/{run}_failures.csv)")
    for name, row in summary["think"]["pages"].items():
        if name != "Aggregated" and (row["p95_ms"] or 0) >= P95_BUDGET_MS:
            problems.append(f"think: {name} p95 {row['p95_ms']:.0f} ms, over {P95_BUDGET_MS} ms")
    throughput = summary["saturation"]["pages"]["Aggregated"]["requests_per_s"]
    summary["saturation"]["requests_per_s"] = throughput
    print(f"\nsaturation throughput: {throughput} requests/s (the steady state, after sign-in)")
    (OUT / f"{args.org}.json").write_text(json.dumps(summary, indent=2))
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
