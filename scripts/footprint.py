#!/usr/bin/env python3
"""The service's footprint following a real-time chain (issue 16.7): `failover simulate --speed 1` and `failover run`
with the default policy (early detection on), for a number of minutes; the service's resident memory (peak and at the
end, from /proc) and its CPU time over the run after the first minute, as a share of one core.

Usage: scripts/footprint.py [--failover PATH] [--minutes 10] [--dir DIR] [--bare] [--smaps]
  --failover  the built CLI (default: src/Failover.Host/bin/Release/net10.0/failover; build it first with
              `dotnet build -c Release src/Failover.Host`) — not `dotnet run`, whose process is the SDK's, not the service's
  --smaps     at the end, the service's resident memory by kind of mapping (from /proc/<pid>/smaps)
  --bare      without the runtime settings the systemd unit gives the service (its `Environment=DOTNET_…` lines, read
              from deploy/systemd/failover.service): by default the service runs as installed
"""
import argparse, os, re, signal, subprocess, time
from simdrill import unit_runtime_settings, wait_for, write_service_config

p = argparse.ArgumentParser()
p.add_argument("--failover", default="src/Failover.Host/bin/Release/net10.0/failover")
p.add_argument("--minutes", type=float, default=10)
p.add_argument("--dir", default="/tmp/failover-footprint")
p.add_argument("--sim-port", type=int, default=8898)
p.add_argument("--api-port", type=int, default=5198)
p.add_argument("--bare", action="store_true")
p.add_argument("--smaps", action="store_true")
args = p.parse_args()
runtime_settings = {} if args.bare else unit_runtime_settings()

SIM = f"http://127.0.0.1:{args.sim_port}"
API = f"http://127.0.0.1:{args.api_port}"
os.makedirs(args.dir, exist_ok=False)
path = lambda name: os.path.join(args.dir, name)
TICK = os.sysconf("SC_CLK_TCK")


def status(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid):
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICK  # utime + stime


def resident_by_kind(pid):
    """Resident kB per kind of mapping: the binary itself (a single file's bundled assemblies), other files by name,
    the JIT's double-mapped code, and anonymous memory (the GC heap among it)."""
    kinds, kind = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        head = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            name = head[5] if len(head) > 5 else "[anonymous]"
            kind = "the binary" if os.path.realpath(name) == os.path.realpath(args.failover) else os.path.basename(name)
        elif head[0] == "Rss:":
            kinds[kind] = kinds.get(kind, 0) + int(head[1])
    return sorted(kinds.items(), key=lambda item: -item[1])


simulate = subprocess.Popen([args.failover, "simulate", "--urls", SIM, "--speed", "1", "--seed", "footprint", "--keys-out", path("keys.json")],
                            stdout=open(path("simulate.out"), "w"), stderr=subprocess.STDOUT)
wait_for(SIM + "/sim/state")
config, _ = write_service_config(SIM, args.dir, "obs-footprint")

service = subprocess.Popen([args.failover, "run", "--config", config, "--urls", API], env={**os.environ, **runtime_settings},
                           stdout=open(path("run.log"), "w"), stderr=subprocess.STDOUT)
wait_for(API + "/health/live")
started = time.monotonic()
samples = []
warm = None
while time.monotonic() - started < args.minutes * 60:
    time.sleep(5)
    rss, hwm = status(service.pid)
    cpu = cpu_seconds(service.pid)
    elapsed = time.monotonic() - started
    samples.append((elapsed, rss, hwm, cpu))
    if warm is None and elapsed >= 60:
        warm = (elapsed, cpu)

end_elapsed, end_rss, end_hwm, end_cpu = samples[-1]
if args.smaps:
    for kind, kb in resident_by_kind(service.pid):
        if kb >= 512:
            print(f"{kb / 1024:8.1f} MB  {kind}")
share = (end_cpu - warm[1]) / (end_elapsed - warm[0]) * 100
service.send_signal(signal.SIGTERM)
service.wait(timeout=60)
simulate.send_signal(signal.SIGTERM)
simulate.wait(timeout=60)
print(f"runtime settings: {runtime_settings or 'none (bare)'}")
print(f"{args.minutes:g} min following a real-time chain: peak RSS {end_hwm:.0f} MB, RSS at the end {end_rss:.0f} MB, "
      f"RSS after 1 min {next(s[1] for s in samples if s[0] >= 60):.0f} MB; CPU {share:.2f} % of one core after the first minute "
      f"({end_cpu:.1f} s of CPU in all)")
