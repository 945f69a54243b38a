"""What the drill scripts share: waiting for a URL, and the service's configuration against a running `failover simulate`
(its chain id, our producer's data centers and keys from --keys-out, the failover permission's key in an owner-only file)."""
import json, os, sys, time, urllib.request


def wait_for(url, limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2).read()
        except Exception:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer within {limit} s")


def write_service_config(sim, directory, observer_id):
    """Writes failover.key and failover.json in `directory` for the simulator at `sim`; returns (config path, /sim/state)."""
    state = json.load(urllib.request.urlopen(sim + "/sim/state"))
    ours = next(p for p in state["producers"] if p["name"] == "failover.bp")
    keys = json.load(open(os.path.join(directory, "keys.json")))
    key_file = os.path.join(directory, "failover.key")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, (keys["accounts"]["failover.bp"]["failover"][0] + "\n").encode())
    os.close(fd)
    config = {"Failover": {
        "ObserverId": observer_id, "Store": "sqlite:" + os.path.join(directory, "failover.db"),
        "Chain": {"Id": state["chain_id"], "Endpoints": [f"{sim}/node/api1", f"{sim}/node/api2"]},
        "Producer": "failover.bp",
        "DataCenters": [{"Name": n["data_center"], "Priority": i + 1, "SigningKey": n["signing_key"], "FinalizerKey": n["finalizer_key"]}
                        for i, n in enumerate(ours["nodes"])],
        "Signer": {"Permission": "failover", "KeyFile": key_file}}}
    path = os.path.join(directory, "failover.json")
    json.dump(config, open(path, "w"), indent=2)
    return path, state


def unit_runtime_settings():
    """The runtime settings the systemd unit gives the service (its `Environment=DOTNET_…` lines), so that a drill runs
    the service as installed."""
    unit = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "systemd", "failover.service")
    settings = dict(line.strip()[len("Environment="):].split("=", 1) for line in open(unit) if line.startswith("Environment=DOTNET_"))
    return {name: value for name, value in settings.items() if "%" not in value}  # not systemd's specifiers (%C, %S)
