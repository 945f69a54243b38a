#!/usr/bin/env python3
"""A simulated day holds steady (issue 17.4): `failover simulate` + `failover run` (real processes, the service on the
simulator's clock) for 24 simulated hours with a fault every hour, cycling through: an outage of the data center in
force (20 min), an API node answering 503 (15 min), a partition that puts the observer's API nodes on a minority side
(10 min, then the heal), a stalled API node (10 min), a finality stall (5 min), the standby data center down (20 min).
Every simulated hour it samples the service: resident memory (VmRSS, from /proc), threads, the store's bytes on disk,
the events in it, and how far the service is behind — the simulator's head minus the recorded head, and whether the
projections have caught up with the log. At the end: RSS after the first hour against the end, the store's growth per
simulated day, and `failover audit verify`.

Usage: scripts/steady-day.py [--failover PATH] [--dir DIR] [--speed 60] [--hours 24] [--quiet] [--compact]
  --failover  the built CLI (default: src/Failover.Host/bin/Release/net10.0/failover; `dotnet build -c Release src/Failover.Host`)
  --quiet     no faults: a day as most days are
  --compact   at the end, `failover store compact` everything recorded before the end (issue 18.6) and report what the
              store retains per simulated day (the bytes of `VACUUM INTO` a copy), then `audit verify` again
"""
import argparse, datetime, json, os, signal, sqlite3, subprocess, time, urllib.request
from simdrill import unit_runtime_settings, wait_for, write_service_config

p = argparse.ArgumentParser()
p.add_argument("--failover", default="src/Failover.Host/bin/Release/net10.0/failover")
p.add_argument("--dir", default="/tmp/failover-steady-day")
p.add_argument("--speed", type=float, default=60)
p.add_argument("--hours", type=int, default=24)
p.add_argument("--sim-port", type=int, default=8896)
p.add_argument("--api-port", type=int, default=5196)
p.add_argument("--quiet", action="store_true")
p.add_argument("--compact", action="store_true")
args = p.parse_args()

SIM = f"http://127.0.0.1:{args.sim_port}"
API = f"http://127.0.0.1:{args.api_port}"
os.makedirs(args.dir, exist_ok=False)
path = lambda name: os.path.join(args.dir, name)


def get(url):
    return json.load(urllib.request.urlopen(url, timeout=30))


def post(route, body=None, method="POST"):
    data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(SIM + route, data=data, method=method, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))


def sim_now():
    return datetime.datetime.fromisoformat(get(SIM + "/sim/state")["now"])


def wait_until(target):
    while sim_now() < target:
        time.sleep(0.2)


simulate = subprocess.Popen([args.failover, "simulate", "--urls", SIM, "--speed", str(args.speed), "--seed", "steady-day", "--keys-out", path("keys.json")],
                            stdout=open(path("simulate.out"), "w"), stderr=subprocess.STDOUT)
wait_for(SIM + "/sim/state")
config_path, state = write_service_config(SIM, args.dir, "obs-steady")
config = json.load(open(config_path))
# A fault an hour takes the active data center down every six hours: let automation rotate each time (the default cap
# of two a day would latch it after the second and leave the later outages to a person).
config["Failover"]["Policy"] = {"MaxRotationsPer24h": "12"}
json.dump(config, open(config_path, "w"), indent=2)

# As installed: with the runtime settings of the systemd unit.
service = subprocess.Popen([args.failover, "run", "--config", config_path, "--urls", API, "--simulator-clock", SIM], env={**os.environ, **unit_runtime_settings()},
                           stdout=open(path("run.log"), "w"), stderr=subprocess.STDOUT)
wait_for(API + "/health/live")
ours = next(p for p in state["producers"] if p["name"] == "failover.bp")
data_centers = [n["data_center"] for n in ours["nodes"]]
minority = ["prod.a/dc1", "prod.b/dc1", "prod.c/dc1", "api1", "api2"]
majority = [n["id"] for p in state["producers"] for n in p["nodes"] if n["id"] not in minority]


def status():
    return get(API + "/api/status")


def active_dc():
    return status().get("active_data_center") or data_centers[0]


def standby_dc():
    active = active_dc()
    return next(d for d in data_centers if d != active)


def node_down(dc, down):
    post(f"/sim/nodes/failover.bp/{dc}/{'down' if down else 'up'}")


FAULTS = [
    ("outage of the data center in force", 20, lambda: active_dc(), lambda dc: node_down(dc, True), lambda dc: node_down(dc, False)),
    ("api1 answers 503", 15, lambda: "api1", lambda n: post(f"/sim/api/{n}/faults", {"error_status": 503}), lambda n: post(f"/sim/api/{n}/faults", method="DELETE")),
    ("partition: the observer's API nodes on a minority side", 10, lambda: None,
     lambda _: post("/sim/partition", {"sides": [majority, minority]}), lambda _: post("/sim/heal")),
    ("api2 stalls", 10, lambda: "api2", lambda n: post(f"/sim/api/{n}/stall"), lambda n: post(f"/sim/api/{n}/resume")),
    ("finality stalls", 5, lambda: None, lambda _: post("/sim/finality/stall"), lambda _: post("/sim/finality/resume")),
    ("the standby data center down", 20, lambda: standby_dc(), lambda dc: node_down(dc, True), lambda dc: node_down(dc, False)),
]


def store_bytes():
    return sum(os.path.getsize(path(f)) for f in os.listdir(args.dir) if f.startswith("failover.db"))


def events():
    db = sqlite3.connect(f"file:{path('failover.db')}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    finally:
        db.close()


def proc(field):
    for line in open(f"/proc/{service.pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])


def sample(hour):
    s = status()
    sim = get(SIM + "/sim/state")
    chain_head = max(side["head_block_num"] for side in sim["sides"])
    recorded = (s.get("chain") or {}).get("head_block_num") or 0
    row = {"hour": hour, "rss_mb": round(proc("VmRSS") / 1024, 1), "peak_mb": round(proc("VmHWM") / 1024, 1), "threads": proc("Threads"),
           "store_mb": round(store_bytes() / 1e6, 2), "events": events(), "behind_blocks": chain_head - recorded,
           "projections_caught_up": s.get("projections_caught_up"), "automation": s.get("automation"), "active": s.get("active_data_center")}
    print(json.dumps(row), flush=True)
    return row


start = sim_now()
print(f"real {datetime.datetime.now(datetime.UTC):%H:%M:%S} | sim {start:%H:%M:%S} | speed {args.speed}, {args.hours} h, {'no faults' if args.quiet else 'a fault every hour'}", flush=True)
rows = []
for hour in range(args.hours):
    if args.quiet:
        wait_until(start + datetime.timedelta(hours=hour + 1))
        rows.append(sample(hour + 1))
        continue

    name, minutes, target, begin, end = FAULTS[hour % len(FAULTS)]
    wait_until(start + datetime.timedelta(hours=hour, minutes=5))
    subject = target()
    begin(subject)
    print(f"  h{hour:02} +5 min: {name}{f' ({subject})' if subject else ''} for {minutes} min", flush=True)
    wait_until(start + datetime.timedelta(hours=hour, minutes=5 + minutes))
    end(subject)
    wait_until(start + datetime.timedelta(hours=hour + 1))
    rows.append(sample(hour + 1))

service.send_signal(signal.SIGTERM)
service.wait(timeout=60)
simulate.send_signal(signal.SIGTERM)
simulate.wait(timeout=60)
verify = subprocess.run([args.failover, "audit", "verify", "--store", "sqlite:" + path("failover.db")], capture_output=True, text=True)
print(verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else verify.stderr.strip(), f"(exit {verify.returncode})")

first, last = rows[0], rows[-1]
per_day = (last["store_mb"] - first["store_mb"]) / (last["hour"] - first["hour"]) * 24
print(f"RSS after hour 1: {first['rss_mb']} MB; at the end: {last['rss_mb']} MB ({(last['rss_mb'] / first['rss_mb'] - 1) * 100:+.1f} %); peak {last['peak_mb']} MB")
print(f"store: {first['store_mb']} MB after hour 1, {last['store_mb']} MB after hour {last['hour']}: {per_day:.1f} MB per simulated day")
print(f"behind at the hourly samples: max {max(r['behind_blocks'] for r in rows)} blocks; projections caught up at every sample: {all(r['projections_caught_up'] for r in rows)}")

if args.compact:
    last_us = sqlite3.connect(path("failover.db")).execute("SELECT max(recorded_at) FROM events").fetchone()[0]
    end_time = datetime.datetime.fromtimestamp(last_us / 1e6, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    compact = subprocess.run([args.failover, "store", "compact", "--store", "sqlite:" + path("failover.db"), "--producer", "failover.bp", "--before", end_time],
                             capture_output=True, text=True)
    print(compact.stdout.strip().splitlines()[-1] if compact.stdout.strip() else compact.stderr.strip(), f"(exit {compact.returncode})")
    vacuumed = path("vacuumed.db")
    if os.path.exists(vacuumed):
        os.remove(vacuumed)
    sqlite3.connect(path("failover.db")).execute(f"VACUUM INTO '{vacuumed}'")
    hours = last["hour"]
    print(f"compacted: {os.path.getsize(vacuumed) / 1e6:.1f} MB retained for {hours} simulated hours = {os.path.getsize(vacuumed) / 1e6 / hours * 24:.1f} MB per simulated day")
    verify = subprocess.run([args.failover, "audit", "verify", "--store", "sqlite:" + path("failover.db")], capture_output=True, text=True)
    print(verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else verify.stderr.strip(), f"(exit {verify.returncode})")
