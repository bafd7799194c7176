#!/usr/bin/env python
"""A topic page through Varnish against the application's own warm page
cache, paired in one run.

Serves the database named by DATABASE_URL with gunicorn (production
settings, 2 sync workers, the in-app page cache on, local memory) and puts
varnishd with the shipped configuration (deploy/varnish/scholargate.vcl) in
front of it. Each round runs wrk on, in turn (the order rotates):

- /health/ from the application (the trivial view, the floor);
- the topic page from the application (its warm page cache);
- the same page through Varnish (a hit: the application is not asked);

so the ratios of a round are paired. Then it purges the key "all" as the
application would, to show the purge reaching Varnish (the next request
is a miss, the one after a hit).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgbench10k \\
        .venv/bin/python bench/varnish.py [--rounds 3 --duration 5s]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from pages import PYTHON, ROOT, server_env, start_server

APP_PORT, VARNISH_PORT, PURGE_PORT = 8766, 8767, 8768
VCL = ROOT / "deploy" / "varnish" / "scholargate.vcl"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def start_varnish(work: Path):
    vcl = work / "site.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{APP_PORT}";'))
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    command = f"""{binary} -F -j none -n {work / "varnish"}
        -a 127.0.0.1:{VARNISH_PORT} -a purge=127.0.0.1:{PURGE_PORT}
        -T 127.0.0.1:0 -f {vcl} -s malloc,256m
        -p http_resp_hdr_len=65536 -p http_resp_size=98304"""
    process = subprocess.Popen(command.split(), stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{VARNISH_PORT}/health/")
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("varnishd did not start")


def x_cache(url):
    with urllib.request.urlopen(url) as response:
        response.read()
        return response.headers.get("X-Cache")


def wrk(url, duration):
    """(requests/s, p50 ms, p99 ms) of one wrk run."""
    output = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{duration}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    latency = {
        p: float(v) * UNITS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", output, re.M)
    }
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors:\n{output}")
    return rps, latency["50"], latency["99"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--page", default="/topics/deep-learning/")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a database built by bench/build-corpus.")
    work = Path(tempfile.mkdtemp(prefix="sg-varnish-"))
    static_root = work / "static"
    purge_url = f"http://127.0.0.1:{PURGE_PORT}/"
    env = server_env(static_root, HTTP_CACHE_PURGE_URLS=purge_url)
    for command in (["migrate", "--no-input"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [str(PYTHON), "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )
    app = start_server(env, APP_PORT)
    varnish = start_varnish(work)
    app_base = f"http://127.0.0.1:{APP_PORT}"
    cache_base = f"http://127.0.0.1:{VARNISH_PORT}"
    runs = {
        "/health/, application": app_base + "/health/",
        "topic page, application (warm page cache)": app_base + args.page,
        "topic page, Varnish": cache_base + args.page,
    }
    try:
        for url in runs.values():  # warm both caches and every worker
            wrk(url, "2s")
        seen = x_cache(cache_base + args.page)
        print(f"# {args.page} through Varnish: X-Cache {seen}")
        results = {name: [] for name in runs}
        names = list(runs)
        for round_ in range(args.rounds):
            order = names[round_ % 3 :] + names[: round_ % 3]
            for name in order:
                results[name].append(wrk(runs[name], args.duration))
                time.sleep(1)
        print(f"\n{'run':44} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
        for name, rows in results.items():
            print(
                f"{name:44} {statistics.median(r[0] for r in rows):8.0f} "
                f"{statistics.median(r[1] for r in rows):7.2f} "
                f"{statistics.median(r[2] for r in rows):7.2f}"
            )
        app_rows = results[names[1]]
        pairs = {
            "Varnish ÷ application's warm cache": (results[names[2]], app_rows),
            "application's warm cache ÷ /health/": (app_rows, results[names[0]]),
            "Varnish ÷ /health/": (results[names[2]], results[names[0]]),
        }
        print("\nPaired ratios of requests/s, per round: median [min..max]")
        for label, (top, bottom) in pairs.items():
            ratios = [a[0] / b[0] for a, b in zip(top, bottom, strict=True)]
            print(
                f"  {label:38} {statistics.median(ratios):6.2f} "
                f"[{min(ratios):.2f}..{max(ratios):.2f}]"
            )
        # A purge by key reaches Varnish: the page is fetched again.
        request = urllib.request.Request(
            purge_url, method="PURGE", headers={"xkey-purge": "all"}
        )
        with urllib.request.urlopen(request) as response:
            purged = response.reason
        print(
            f"\nPURGE xkey-purge: all -> {purged}; next request "
            f"X-Cache {x_cache(cache_base + args.page)}, then "
            f"{x_cache(cache_base + args.page)}"
        )
    finally:
        varnish.terminate()
        app.terminate()
        varnish.wait()
        app.wait()


if __name__ == "__main__":
    main()
