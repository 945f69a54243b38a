#!/usr/bin/env python3
"""A simulated day against the real service: `failover simulate` + `failover run`, with an outage, a partition that
leaves the observer on the minority side while our active data center is down there too, the heal (a fork switch), and
a restart of the service mid-way. Prints a timeline, then `failover rounds`, `failover audit verify` and a summary of
the process stream. See docs/drill.md.

Usage: scripts/day-drill.py [--failover CMD] [--dir DIR] [--speed 50] [--hours 24]
  --failover  how to start the CLI (default: "dotnet run --project src/Failover.Host --")
"""
import argparse, datetime, json, os, shlex, signal, sqlite3, subprocess, time, urllib.request
from simdrill import wait_for, write_service_config

p = argparse.ArgumentParser()
p.add_argument("--failover", default="dotnet run --project src/Failover.Host --")
p.add_argument("--dir", default="/tmp/failover-day-drill")
p.add_argument("--speed", type=float, default=50)
p.add_argument("--hours", type=float, default=24)
p.add_argument("--sim-port", type=int, default=8888)
p.add_argument("--api-port", type=int, default=5197)
args = p.parse_args()

SIM = f"http://127.0.0.1:{args.sim_port}"
API = f"http://127.0.0.1:{args.api_port}"
CLI = shlex.split(args.failover)
os.makedirs(args.dir, exist_ok=False)
path = lambda name: os.path.join(args.dir, name)


def get(url):
    return json.load(urllib.request.urlopen(url, timeout=10))


def post(route, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(SIM + route, data=data, method="POST", headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=10))


def sim_now():
    return datetime.datetime.fromisoformat(get(SIM + "/sim/state")["now"])


def log(message):
    state = get(SIM + "/sim/state")
    heads = ", ".join(f"side {s['index']} head {s['head_block_num']} lib {s['last_irreversible_block_num']}" for s in state["sides"])
    print(f"real {datetime.datetime.now(datetime.UTC):%H:%M:%S} | sim {state['now'][:19]} | {heads} | {message}", flush=True)


simulate = subprocess.Popen(CLI + ["simulate", "--urls", SIM, "--speed", str(args.speed), "--seed", "day-drill", "--keys-out", path("keys.json")],
                            stdout=open(path("simulate.out"), "w"), stderr=subprocess.STDOUT)
wait_for(SIM + "/sim/state")
_, state = write_service_config(SIM, args.dir, "obs-drill")

runs = []


def start_service():
    out = open(path(f"run{len(runs) + 1}.log"), "w")
    runs.append(subprocess.Popen(CLI + ["run", "--config", path("failover.json"), "--urls", API, "--simulator-clock", SIM], stdout=out, stderr=subprocess.STDOUT))
    wait_for(API + "/health/live")


def restart_service():
    service = runs[-1]
    service.send_signal(signal.SIGTERM)
    code = service.wait(timeout=60)
    log(f"service stopped by SIGTERM, exit code {code}")
    time.sleep(600 / args.speed)  # ten simulated minutes down
    start_service()


start = sim_now()
start_service()
log("drill starts: service running")
minority = ["failover.bp/dc2", "prod.a/dc1", "prod.b/dc1", "prod.c/dc1", "api1", "api2"]
majority = [n["id"] for p in state["producers"] for n in p["nodes"] if n["id"] not in minority]


def at(hours, message, action):
    target = start + datetime.timedelta(hours=hours)
    while sim_now() < target:
        time.sleep(0.5)
    action()
    log(message)


at(2, "OUTAGE: failover.bp/dc1 down", lambda: post("/sim/nodes/failover.bp/dc1/down"))
at(3, "failover.bp/dc1 up again (standby now)", lambda: post("/sim/nodes/failover.bp/dc1/up"))
at(6, "PARTITION: the observer's API nodes on the minority side with failover.bp/dc2 (active) and 3 producers", lambda: post("/sim/partition", {"sides": [majority, minority]}))
at(6.05, "OUTAGE inside the partition: failover.bp/dc2 down", lambda: post("/sim/nodes/failover.bp/dc2/down"))
at(7, "HEAL", lambda: print("  heal: " + json.dumps(post("/sim/heal")), flush=True))
at(8, "failover.bp/dc2 up again (standby now)", lambda: post("/sim/nodes/failover.bp/dc2/up"))
at(12, "RESTART of the service", restart_service)
at(args.hours, "the day is over", lambda: None)

status = get(API + "/api/status")
runs[-1].send_signal(signal.SIGTERM)
runs[-1].wait(timeout=60)
simulate.send_signal(signal.SIGTERM)
simulate.wait(timeout=60)

store = "sqlite:" + path("failover.db")
for command in (["rounds", "--store", store, "--limit", "8"], ["audit", "verify", "--store", store]):
    print(f"\n$ failover {' '.join(command)}", flush=True)
    result = subprocess.run(CLI + command, capture_output=True, text=True)
    print(result.stdout + result.stderr + f"(exit {result.returncode})", flush=True)

db = sqlite3.connect(f"file:{path('failover.db')}?mode=ro", uri=True)
print("\nProcess stream failover-failover.bp:")
for position, kind, payload in db.execute("SELECT position, type, payload FROM events WHERE stream = 'failover-failover.bp' ORDER BY position"):
    event = json.loads(payload)
    detail = {k: event[k] for k in ("incident_id", "reasons", "target_data_center", "transaction_id", "outcome", "data_center", "block_num") if k in event}
    print(f"  {position:>8} {kind:<28} {json.dumps(detail)}")
counts = dict(db.execute("SELECT type, COUNT(*) FROM events GROUP BY type").fetchall())
chain_stream = "chain-" + state["chain_id"]
versions = [v for (v,) in db.execute("SELECT version FROM events WHERE stream = ? ORDER BY position", (chain_stream,))]
ids = db.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events").fetchone()
print("\nEvents by type:", json.dumps(counts, indent=1))
print(f"Chain stream versions contiguous: {versions == list(range(len(versions)))}; event ids unique: {ids[0] == ids[1]} ({ids[0]} events)")
print(f"Rotations on chain (key-rotation-submitted accepted): {counts.get('key-rotation-submitted.v1', 0)}; automation at the end: {status['automation']}")
