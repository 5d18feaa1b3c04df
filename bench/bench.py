#!/usr/bin/env python3
"""The listdiff benchmark: run by bench/run (which builds the binaries and the virtual
environment first); see the header of bench/run for the profiles.

Every figure is a whole process (fork, exec, the work, exit) with its standard output sent to
/dev/null, timed by the wall clock; a figure is the median of several runs (5, fewer when the
runs of one measurement would take more than about 90 s in all, at least 1; the count is
recorded). Peak memory is the child's maximum resident set size from os.wait4 (it covers the
child's own children too).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
SEED = 42
START = dt.date(2020, 1, 1)
CSV_FILE = "consolidated.csv"
LIST_ID = "us-bis-entity-list"  # the generator's main list (listdiff_bench::LIST_ID)
RUNS = 5
BUDGET_S = 90.0
INGEST_CHUNK = 200
NOTES_MARKER = "<!-- notes -->"
NOTES_PLACEHOLDER = "<!-- notes: edited by hand after a run -->"
MIB = 1024 * 1024

PROFILES = {
    "default": {
        "entries": 20_000,
        "pubs": [50, 500, 2000],
        "markdown": "BENCHMARKS.md",
        "json": "bench/results.json",
        "plot": "bench/plot.svg",
        "need_gb": 10,
    },
    "quick": {
        "entries": 2_000,
        "pubs": [20, 50, 100],
        "markdown": "bench/results-quick.md",
        "json": "bench/results-quick.json",
        "plot": "bench/plot-quick.svg",
        "need_gb": 1,
    },
    "decade": {
        "entries": 20_000,
        "pubs": [310, 1200, 3650],
        "markdown": "bench/results-decade.md",
        "json": "bench/results-decade.json",
        "plot": "bench/plot-decade.svg",
        "need_gb": 5,
    },
    "large": {
        "entries": 1_000_000,
        "pubs": [50],
        "markdown": "bench/results-large.md",
        "json": "bench/results-large.json",
        "plot": None,
        "need_gb": 20,
    },
}

# The decade profile's two smaller lists besides the main one: (list id, seed), each of
# entries / 10 entries, published weekly, a snapshot every DECADE_SIDE_SNAPSHOT_EVERY-th.
DECADE_SIDE_LISTS = [("synthetic-weekly-1", SEED + 1), ("synthetic-weekly-2", SEED + 2)]
DECADE_SIDE_INTERVAL = 7
DECADE_SIDE_SNAPSHOT_EVERY = 4
# The corrections and the retraction are recorded after the recording run that covers this
# fraction of the main list's history.
DECADE_CORRECTIONS_AT = 0.9

# The queries, in the order of the tables: (key, label, target group).
QUERIES = [
    ("diff", "diff (a month)"),
    ("since", "since (a month)"),
    ("asof_last", "as-of (latest)"),
    ("asof_mid", "as-of (middle)"),
    ("history", "history ID"),
]


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Logging, formatting


T0 = time.monotonic()


def log(message: str) -> None:
    elapsed = time.monotonic() - T0
    print(f"[{int(elapsed) // 60:3d}:{elapsed % 60:05.2f}] {message}", file=sys.stderr, flush=True)


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 100:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "–"
    if n < 1024:
        return f"{n} B"
    if n < MIB:
        return f"{n / 1024:.1f} KiB"
    if n < 1024 * MIB:
        return f"{n / MIB:.1f} MiB"
    return f"{n / (1024 * MIB):.2f} GiB"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "–"
    if r >= 100:
        return f"{r:.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2f}×"


def fmt_m(m: dict | None) -> str:
    """A measurement: median (runs)."""
    if not m:
        return "–"
    runs = m["runs"]
    return f"{fmt_s(m['median'])} ({runs} run{'s' if runs != 1 else ''})"


def ok(flag: bool) -> str:
    return "✅" if flag else "❌"


def date_of(index: int) -> str:
    return (START + dt.timedelta(days=index)).isoformat()


# ---------------------------------------------------------------------------------------------
# Processes


# Peak memory. ru_maxrss of a process counts the memory of the process it was forked from up
# to its exec (Linux keeps the old image's high-water mark), so a command started directly by
# this Python process would report at least Python's own size. Each command is therefore
# started by a small process: GNU time (`/usr/bin/time -f %M`, Debian package `time`) when
# present, else a minimal Python helper (whose own size is then a floor of every figure; the
# report says which was used).
GNU_TIME = "/usr/bin/time"
HELPER = r"""
import os, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
with open(out, "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss}\n")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""
MEMORY_METHOD = {"method": None}


def choose_memory_method() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "m")
        try:
            r = subprocess.run([GNU_TIME, "-f", "%M", "-o", out, "true"],
                               stdin=subprocess.DEVNULL, capture_output=True)
            floor = int(Path(out).read_text().split()[-1]) * 1024
            if r.returncode == 0:
                MEMORY_METHOD.update(method="gnu-time", floor=floor)
                return MEMORY_METHOD
        except (OSError, ValueError, IndexError):
            pass
        subprocess.run([sys.executable, "-S", "-I", "-c", HELPER, out, "true"], check=True)
        floor = int(Path(out).read_text().split()[1]) * 1024
        MEMORY_METHOD.update(method="python-helper", floor=floor)
        return MEMORY_METHOD


def run_once(cmd, *, shell: bool = False, stdout_path: Path | None = None, env=None,
             allowed=(0,)) -> dict:
    """Runs one process; returns its wall time, peak RSS (bytes) and exit code. Fails with its
    standard error when the exit code is not allowed."""
    argv = ["sh", "-c", cmd] if shell else [str(c) for c in cmd]
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as mem:
        if MEMORY_METHOD["method"] == "gnu-time":
            argv = [GNU_TIME, "-f", "%M", "-o", mem.name, *argv]
        else:
            argv = [sys.executable, "-S", "-I", "-c", HELPER, mem.name, *argv]
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    env=env)
            _, status, _usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - t0
        finally:
            if stdout_path:
                out.close()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        report = mem.read().split()
        if code not in allowed or not report:
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
            shown = cmd if isinstance(cmd, str) else " ".join(str(c) for c in cmd)
            raise BenchError(f"command failed with exit code {code}: {shown}\n"
                             f"--- its standard error ---\n{text.rstrip()}\n--- end ---")
        if MEMORY_METHOD["method"] == "gnu-time":
            rss = int(report[-1]) * 1024
        else:
            seconds, rss = float(report[0]), int(report[1]) * 1024
    return {"seconds": seconds, "rss": rss, "code": code}


def measure(label: str, cmd, *, runs: int = RUNS, prepare=None, shell: bool = False,
            capture_first: Path | None = None, env=None) -> dict:
    """Median of up to `runs` runs, stopping early when another run would take the
    measurement past BUDGET_S in all. `prepare` runs (untimed) before each run."""
    times, rss = [], []
    while len(times) < runs:
        if prepare:
            prepare()
        r = run_once(cmd, shell=shell, env=env,
                     stdout_path=capture_first if not times else None)
        times.append(r["seconds"])
        rss.append(r["rss"])
        if sum(times) + statistics.mean(times) > BUDGET_S:
            break
    m = {
        "cmd": cmd if isinstance(cmd, str) else [str(c) for c in cmd],
        "median": statistics.median(times),
        "runs": len(times),
        "times": times,
        "peak_rss": max(rss),
    }
    log(f"  {label}: {fmt_m(m)}, peak RSS {fmt_bytes(m['peak_rss'])}")
    return m


def output(cmd, env=None) -> str:
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        shown = " ".join(str(c) for c in cmd)
        raise BenchError(f"command failed with exit code {r.returncode}: {shown}\n"
                         f"--- its standard error ---\n{r.stderr.rstrip()}\n--- end ---")
    return r.stdout


def try_output(cmd) -> str | None:
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# ---------------------------------------------------------------------------------------------
# Files


def dir_size(path: Path) -> dict:
    """On-disk (allocated blocks) and apparent bytes of every file below `path`."""
    disk = apparent = 0
    for base, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(base, name))
            disk += st.st_blocks * 512
            apparent += st.st_size
    return {"disk": disk, "apparent": apparent}


def copy_dir(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    # Write the copy out now: otherwise the measured command's own fsync pays for it.
    os.sync()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_truth(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def net_truth(truth: list[dict], a: int, b: int) -> dict:
    """The net difference between the states after publications a and b (a < b), from the
    generator's truth: ids added, removed and changed."""
    state: set[str] = set()
    for line in truth[: a + 1]:
        if line["kind"] == "snapshot" and line["index"] == 0:
            state = set(line["added"])
        else:
            state |= set(line["added"])
            state -= set(line["removed"])
    before = set(state)
    touched: set[str] = set()
    for line in truth[a + 1: b + 1]:
        state |= set(line["added"])
        state -= set(line["removed"])
        touched |= set(line["added"]) | set(line["removed"]) | set(line["changed"])
    return {
        "added": sorted(state - before),
        "removed": sorted(before - state),
        "changed": sorted((before & state) & touched),
    }


def ids_of(doc: dict, key_added: str) -> dict:
    return {
        "added": sorted(e[key_added] for e in doc["added"]),
        "removed": sorted(e[key_added] for e in doc["removed"]),
        "changed": sorted(e["key"] if "key" in e else e["id"] for e in doc["changed"]),
    }


# ---------------------------------------------------------------------------------------------
# Environment


def machine_info() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    osname = None
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram": ram,
        "os": f"{osname or platform.system()} (kernel {platform.release()}, {platform.machine()})",
    }


def versions(bins: dict) -> dict:
    from importlib import metadata

    def pkg(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    commit = try_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    status = try_output(["git", "-C", str(ROOT), "status", "--porcelain", "--", ".",
                         ":!BENCHMARKS.md", ":!bench/results*", ":!bench/plot*"])
    return {
        "listdiff": output([bins["listdiff"], "--version"]).strip(),
        "listdiff_sha256": sha256_file(bins["listdiff"])[:16],
        "commit": (commit or "unknown") + ("-dirty" if status else ""),
        "rustc": try_output(["rustc", "--version"]),
        "git": try_output(["git", "--version"]),
        "python": platform.python_version(),
        "csv-diff": pkg("csv-diff"),
        "matplotlib": pkg("matplotlib"),
    }


def git_env() -> dict:
    env = dict(os.environ)
    env.update({"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    return env


def mem_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


GC_WINDOW = 250  # git gc --aggressive: gc.aggressiveWindow


def gc_config(max_blob: int, blobs: int) -> list[str]:
    """`git gc --aggressive` holds, per thread, a window of up to 250 objects with a delta
    index of each (about twice the object's size): 17 GB for 2 threads on 17 MB states. When
    that would not fit in half of the memory available, limit the window's memory per thread
    (pack.windowMemory); the options are recorded and reported."""
    threads = os.cpu_count() or 1
    need = min(threads * GC_WINDOW, blobs) * 2 * max_blob
    avail = mem_available()
    if avail is None or need <= avail // 2:
        return []
    return ["-c", f"pack.windowMemory={avail // 2 // threads}"]


def listdiff_env() -> dict:
    env = dict(os.environ)
    env.pop("LISTDIFF_STORE", None)
    env["NO_COLOR"] = "1"
    return env


# ---------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args):
        self.profile_name = ("quick" if args.quick else "large" if args.large
                             else "decade" if args.decade else "default")
        self.profile = dict(PROFILES[self.profile_name])
        if args.entries:
            self.profile["entries"] = args.entries
        if args.publications:
            self.profile["pubs"] = sorted(args.publications)
        self.custom = bool(args.entries or args.publications)
        if self.custom:
            # A harness test: never overwrite the real results.
            stem = f"bench/custom-{self.profile_name}"
            self.profile.update(markdown=f"{stem}.md", json=f"{stem}.json",
                                plot=f"{stem}.svg" if self.profile["plot"] else None)
        self.n = self.profile["entries"]
        self.pubs = self.profile["pubs"]
        root = Path(args.work or os.path.join(os.environ.get("TMPDIR") or "/tmp",
                                               "listdiff-bench")).resolve()
        self.work = root / self.profile_name
        self.results: dict = {
            "generated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "profile": self.profile_name,
            "entries": self.n,
            "publications": self.pubs,
            "seed": SEED,
            "snapshot_every": 10,
            "change_rate": 0.001,
            "runs": RUNS,
            "budget_s": BUDGET_S,
            "work": str(self.work),
            "argv": sys.argv[1:],
            "custom": self.custom,
        }
        self.lenv = listdiff_env()
        self.genv = git_env()
        self.no_git_cache = bool(getattr(args, "no_git_cache", False))
        self.git_only = bool(getattr(args, "git_only", False))

    # -- setup ------------------------------------------------------------------------------

    def prepare_work(self) -> None:
        root = self.work.parent
        root.mkdir(parents=True, exist_ok=True)
        self.lock = open(root / f".{self.profile_name}.lock", "w")
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BenchError(f"another bench run of the {self.profile_name} profile is using "
                             f"{self.work}")
        marker = self.work / ".listdiff-bench"
        if self.work.exists():
            if any(self.work.iterdir()) and not marker.exists():
                raise BenchError(f"{self.work} exists, is not empty and was not made by "
                                 f"bench.py (no {marker.name}): not deleting it; choose "
                                 f"another --work")
            log(f"cleaning {self.work}")
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        marker.write_text("made by listdiff bench/bench.py; emptied at the start of each run\n")
        free = shutil.disk_usage(self.work).free
        need = self.profile["need_gb"] * 10**9
        self.results["disk_free"] = free
        if free < need:
            raise BenchError(f"{self.work}: {free / 1e9:.1f} GB free, the {self.profile_name} "
                             f"profile needs about {need / 1e9:.0f} GB (use --work DIR "
                             f"elsewhere)")
        log(f"work dir {self.work} ({free / 1e9:.0f} GB free)")

        # Use copies of the binaries, so that a rebuild during the run changes nothing.
        bindir = self.work / "bin"
        bindir.mkdir()
        self.bins = {}
        for name in ("listdiff", "listdiff-gen", "json-parse"):
            src = RELEASE / name
            if not src.exists():
                raise BenchError(f"{src} is missing: run bench/run (it builds it)")
            shutil.copy2(src, bindir / name)
            self.bins[name] = bindir / name
        csvdiff = Path(sys.executable).parent / "csv-diff"
        if not csvdiff.exists():
            found = shutil.which("csv-diff")
            if not found:
                raise BenchError("csv-diff is not installed: run bench/run (it installs it "
                                 "into bench/.venv)")
            csvdiff = Path(found)
        self.csvdiff = csvdiff
        self.results["memory"] = dict(choose_memory_method())
        self.results["machine"] = machine_info()
        self.results["versions"] = versions(self.bins)
        log(f"{self.results['versions']['listdiff']} ({self.results['versions']['commit']}), "
            f"profile {self.profile_name}: {self.n} entries, P = {self.pubs}")

    def gen(self, *args) -> list:
        return [self.bins["listdiff-gen"], *args, "--seed", str(SEED), "--entries", str(self.n)]

    def ld(self, store: Path, *args) -> list:
        return [self.bins["listdiff"], "--store", str(store), *args]

    # -- 1. compare -------------------------------------------------------------------------

    def bench_compare(self) -> None:
        log("1. compare: listdiff compare against csv-diff on two CSV states a month apart")
        out = self.work / "csv"
        run_once(self.gen("csv", "--states", "0,30", "--out", out))
        old, new = out / date_of(0) / CSV_FILE, out / date_of(30) / CSV_FILE
        truth = net_truth(read_truth(out / "truth.ndjson"), 0, 30)
        ld_json, cd_json = self.work / "compare-listdiff.json", self.work / "compare-csvdiff.json"
        ld = measure("listdiff compare", [self.bins["listdiff"], "compare", old, new, "-o", "json"],
                     capture_first=ld_json, env=self.lenv)
        cd = measure("csv-diff", [self.csvdiff, old, new, "--key", "_id", "--json"],
                     capture_first=cd_json)
        ld_ids = ids_of(json.loads(ld_json.read_text()), "id")
        cd_ids = ids_of(json.loads(cd_json.read_text()), "_id")
        counts = {k: len(v) for k, v in ld_ids.items()}
        same_tools = ld_ids == cd_ids
        same_truth = ld_ids == truth
        self.results["compare"] = {
            "old": str(old), "new": str(new),
            "old_bytes": old.stat().st_size, "new_bytes": new.stat().st_size,
            "rows": self.n,
            "listdiff": ld, "csv_diff": cd,
            "ratio": cd["median"] / ld["median"],
            "counts": counts,
            "csv_diff_counts": {k: len(v) for k, v in cd_ids.items()},
            "truth_counts": {k: len(v) for k, v in truth.items()},
            "same_as_csv_diff": same_tools,
            "same_as_truth": same_truth,
        }
        if not (same_tools and same_truth):
            lines = []
            for k in ("added", "removed", "changed"):
                for name, ids in (("csv-diff", cd_ids[k]), ("truth", truth[k])):
                    extra, missing = set(ld_ids[k]) - set(ids), set(ids) - set(ld_ids[k])
                    if extra or missing:
                        lines.append(f"  {k}: listdiff has {len(extra)} ids {name} has not "
                                     f"{sorted(extra)[:5]}, lacks {len(missing)} "
                                     f"{sorted(missing)[:5]}")
            raise BenchError("compare: listdiff, csv-diff and the generator's truth disagree "
                             f"(outputs in {ld_json} and {cd_json}):\n" + "\n".join(lines))
        log(f"  same added/removed/changed ids as csv-diff and the truth: {counts}; "
            f"csv-diff/listdiff = {fmt_ratio(self.results['compare']['ratio'])}")

    # -- 2. history, stores, ingest ---------------------------------------------------------

    def generate_history(self, publications: int) -> None:
        log(f"generating {publications} native publications of {self.n} entries")
        self.native = self.work / "native"
        t0 = time.perf_counter()
        run_once(self.gen("native", "--publications", str(publications), "--out", self.native))
        self.results["generate_native_s"] = time.perf_counter() - t0
        self.files = sorted(self.native.glob("*.json"))
        if len(self.files) != publications:
            raise BenchError(f"expected {publications} publications in {self.native}, found "
                             f"{len(self.files)}")
        self.truth = read_truth(self.native / "truth.ndjson")
        top = max(self.pubs)
        try:
            self.history_id = json.loads(output(self.gen("pick", "--publications", str(top))))[
                "history_id"]
            how = "`listdiff-gen pick`: present throughout, changed at least twice"
        except BenchError:
            # Too few changes for an entry changed twice (small profiles): the most changed
            # entry present throughout, from the truth.
            self.history_id = self.most_changed(top)
            how = ("the most changed entry present throughout (`listdiff-gen pick` found none "
                   "changed twice)")
            log(f"  listdiff-gen pick found no entry changed twice in {top} publications; "
                f"using the most changed entry present throughout")
        changes = sum(self.history_id in line["changed"] for line in self.truth[1:top])
        self.results["history_pick"] = f"{how}; changed in {changes} of the {top} publications"
        self.results["history_id"] = self.history_id
        log(f"  {fmt_s(self.results['generate_native_s'])}; history ID {self.history_id}")

    def most_changed(self, publications: int) -> str:
        counts = {i: 0 for i in self.truth[0]["added"]}
        for line in self.truth[1:publications]:
            for i in line["removed"]:
                counts.pop(i, None)
            for i in line["changed"]:
                if i in counts:
                    counts[i] += 1
        if not counts:
            raise BenchError("no entry is present throughout the history")
        return min(counts, key=lambda i: (-counts[i], i))

    def ingest_chunks(self, store: Path, files: list[Path]) -> dict:
        t_total, rss = 0.0, 0
        for i in range(0, len(files), INGEST_CHUNK):
            r = run_once(self.ld(store, "ingest", *files[i: i + INGEST_CHUNK]), env=self.lenv)
            t_total += r["seconds"]
            rss = max(rss, r["rss"])
        return {"seconds": t_total, "peak_rss": rss, "publications": len(files)}

    def build_stores(self) -> None:
        log("2. building the stores incrementally")
        self.stores = {}
        build = self.work / "store-build"
        done = 0
        self.results["build"] = {}
        for p in self.pubs:
            step = self.ingest_chunks(build, self.files[done:p])
            done = p
            self.stores[p] = self.work / f"store-{p}"
            copy_dir(build, self.stores[p])
            self.results["build"][str(p)] = step
            log(f"  P = {p}: ingested {step['publications']} more publications in "
                f"{fmt_s(step['seconds'])} (peak RSS {fmt_bytes(step['peak_rss'])})")
        shutil.rmtree(build)

    def bench_ingest(self) -> None:
        log("2. ingest of one snapshot into a store of P publications, against json-parse")
        scratch = self.work / "scratch-store"
        self.results["ingest"] = {}
        for p in self.pubs:
            f = self.files[p]
            if not f.name.endswith("-snapshot.json"):
                raise BenchError(f"publication {p} ({f.name}) is not a snapshot")
            size = f.stat().st_size
            ingest = measure(f"P = {p}: listdiff ingest {f.name}",
                             self.ld(scratch, "ingest", f), env=self.lenv,
                             prepare=lambda p=p: copy_dir(self.stores[p], scratch))
            typed = measure("json-parse (typed)", [self.bins["json-parse"], f])
            value = measure("json-parse --value", [self.bins["json-parse"], f, "--value"])
            limit = 3 * size + 64 * MIB
            empty = None
            if p == max(self.pubs):
                # Issue 15: the first snapshot of a list against the steady state.
                empty = measure(f"P = {p}: listdiff ingest {f.name} into an empty store",
                                self.ld(scratch, "ingest", f), env=self.lenv,
                                prepare=lambda: shutil.rmtree(scratch, ignore_errors=True))
            self.results["ingest"][str(p)] = {
                "file": f.name, "bytes": size, "listdiff": ingest, "json_parse": typed,
                "json_parse_value": value, "ratio": ingest["median"] / typed["median"],
                "memory_limit": limit,
            }
            if empty:
                self.results["ingest"][str(p)]["empty"] = empty
        shutil.rmtree(scratch, ignore_errors=True)

    # -- 3. git -----------------------------------------------------------------------------

    def git(self, repo: Path, *args) -> list:
        return ["git", "--git-dir", str(repo), *args]

    def git_cache(self) -> Path:
        """Where built and packed git repositories are kept between runs: building them (fast-import
        of every state, then `git gc --aggressive`) takes most of a default run, and they depend
        only on the generator and its options."""
        # The generator's output depends on its source (its random numbers come from ChaCha8,
        # whose stream is stable across versions), not on the exact binary.
        digest = hashlib.sha256()
        for path in sorted((ROOT / "bench" / "src").rglob("*.rs")) + [ROOT / "bench" / "Cargo.toml"]:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
        gen = digest.hexdigest()[:16]
        key = f"n{self.n}-seed{SEED}-every10-rate0.001-p{'-'.join(map(str, self.pubs))}-gen{gen}"
        return self.work.parent / "git-cache" / key

    def build_git(self) -> None:
        log("3. git: one commit of the whole CSV state per publication")
        gitdir = self.work / "git"
        cache = self.git_cache()
        if (cache / "info.json").exists() and not self.no_git_cache:
            shutil.copytree(cache / "repos", gitdir)
            self.results["git"] = json.loads((cache / "info.json").read_text())
            self.results["git_cached"] = str(cache)
            self.repos = {p: gitdir / f"p{p}.git" for p in self.pubs}
            log(f"  reusing the repositories built and packed earlier in {cache}")
            return
        self.build_git_repos(gitdir)
        if cache.exists():
            shutil.rmtree(cache)
        cache.mkdir(parents=True)
        shutil.copytree(gitdir, cache / "repos")
        (cache / "info.json").write_text(json.dumps(self.results["git"], indent=1))

    def build_git_repos(self, gitdir: Path) -> None:
        gitdir.mkdir()
        top = max(self.pubs)
        full = gitdir / f"p{top}.git"
        run_once(["git", "init", "--quiet", "--bare", full], env=self.genv)
        t0 = time.perf_counter()
        stream = f"{self.bins['listdiff-gen']} fast-import --publications {top} --seed {SEED} " \
                 f"--entries {self.n} | git --git-dir '{full}' fast-import --quiet"
        run_once(["sh", "-c", "set -e; " + stream], env=self.genv)
        fast_import_s = time.perf_counter() - t0
        run_once(self.git(full, "symbolic-ref", "HEAD", "refs/heads/main"), env=self.genv)
        log(f"  fast-import of {top} commits: {fmt_s(fast_import_s)}")
        self.repos = {top: full}
        self.results["git"] = {str(top): {"fast_import_s": fast_import_s}}
        for p in self.pubs:
            if p == top:
                continue
            repo = gitdir / f"p{p}.git"
            run_once(["git", "init", "--quiet", "--bare", repo], env=self.genv)
            # Keep what is pushed as a pack, as fast-import wrote it (not as loose objects).
            run_once(self.git(repo, "config", "receive.unpackLimit", "1"), env=self.genv)
            refspecs = [f"refs/tags/d{date_of(p - 1)}:refs/heads/main"]
            refspecs += [f"refs/tags/d{date_of(i)}:refs/tags/d{date_of(i)}" for i in range(p)]
            run_once(self.git(full, "push", "--quiet", str(repo), *refspecs), env=self.genv)
            run_once(self.git(repo, "symbolic-ref", "HEAD", "refs/heads/main"), env=self.genv)
            self.repos[p] = repo
            self.results["git"][str(p)] = {}
        for p in self.pubs:
            repo, info = self.repos[p], self.results["git"][str(p)]
            commits = int(output(self.git(repo, "rev-list", "--count", "HEAD"), env=self.genv))
            if commits != p:
                raise BenchError(f"{repo} holds {commits} commits, expected {p}")
            info["before_gc"] = dir_size(repo)
            # The raw bytes of all P full states: the sum of the blob sizes.
            sizes = output(self.git(repo, "cat-file", "--batch-all-objects",
                                    "--batch-check=%(objecttype) %(objectsize)"), env=self.genv)
            blobs = [int(s) for t, s in (line.split() for line in sizes.splitlines())
                     if t == "blob"]
            info["states_bytes"] = sum(blobs)
            config = gc_config(max(blobs), len(blobs))
            info["gc_config"] = config
            r = run_once(self.git(repo, *config, "gc", "--aggressive", "--quiet"),
                         env=self.genv)
            info["gc_aggressive_s"] = r["seconds"]
            info["gc_peak_rss"] = r["rss"]
            info["after_gc"] = dir_size(repo)
            log(f"  P = {p}: git {' '.join(config + ['gc'])} --aggressive {fmt_s(r['seconds'])} "
                f"(peak RSS {fmt_bytes(r['rss'])}), {fmt_bytes(info['before_gc']['disk'])} → "
                f"{fmt_bytes(info['after_gc']['disk'])}")

    # -- 3. queries -------------------------------------------------------------------------

    def query_dates(self, p: int) -> dict:
        month = max(0, p - 31)
        return {"last": p - 1, "month": month, "since": month + 1, "mid": p // 2}

    def bench_queries(self) -> None:
        log("3. queries: listdiff against git")
        self.results["queries"] = {}
        self.results["query_dates"] = {}
        hid = self.history_id
        for p in self.pubs:
            d = self.query_dates(p)
            self.results["query_dates"][str(p)] = {k: date_of(v) for k, v in d.items()}
            last, month, since, mid = (date_of(d[k]) for k in ("last", "month", "since", "mid"))
            store, repo = self.stores[p], self.repos.get(p)
            lq = {
                "diff": self.ld(store, "diff", month, last, "-o", "json"),
                "since": self.ld(store, "since", since, "-o", "json"),
                "asof_last": self.ld(store, "as-of", last, "-o", "json"),
                "asof_mid": self.ld(store, "as-of", mid, "-o", "json"),
                "history": self.ld(store, "history", hid, "-o", "json"),
            }
            gq = {
                "diff": (self.git(repo, "diff", f"d{month}", f"d{last}", "--", CSV_FILE), False),
                "since": (self.git(repo, "log", "-p", f"d{month}..d{last}", "--", CSV_FILE),
                          False),
                "asof_last": (self.git(repo, "show", f"d{last}:{CSV_FILE}"), False),
                "asof_mid": (self.git(repo, "show", f"d{mid}:{CSV_FILE}"), False),
                "history": (f"git --git-dir '{repo}' log -p -- {CSV_FILE} | grep -F '{hid}'",
                            True),
            } if repo else {}
            row = {}
            # Correctness: the listdiff answers against the generator's truth.
            checks = self.check_answers(p, d, lq)
            for key, label in QUERIES:
                ldm = measure(f"P = {p}: listdiff {label}", lq[key], env=self.lenv)
                gm = None
                if key in gq:
                    cmd, shell = gq[key]
                    gm = measure(f"P = {p}: git {label}", cmd, shell=shell, env=self.genv)
                row[key] = {"listdiff": ldm, "git": gm, "check": checks.get(key)}
            self.results["queries"][str(p)] = row

    def check_answers(self, p: int, d: dict, lq: dict) -> dict:
        """Runs diff, since and as-of once more with their output kept, and compares their ids
        with the generator's truth; returns {query: {"ok", "detail"}}."""
        checks = {}
        want = net_truth(self.truth, d["month"], d["last"])
        for key in ("diff", "since"):
            out = self.work / f"answer-{key}-{p}.json"
            run_once(lq[key], stdout_path=out, env=self.lenv)
            got = ids_of(json.loads(out.read_text()), "id")
            checks[key] = {"ok": got == want,
                           "detail": {k: len(v) for k, v in got.items()},
                           "want": {k: len(v) for k, v in want.items()}}
            out.unlink()
        for key in ("asof_last", "asof_mid"):
            index = d["last"] if key == "asof_last" else d["mid"]
            out = self.work / f"answer-{key}-{p}.json"
            run_once(lq[key], stdout_path=out, env=self.lenv)
            got = len(json.loads(out.read_text())["entries"])
            want_n = len(self.state_ids(index))
            checks[key] = {"ok": got == want_n, "detail": got, "want": want_n}
            out.unlink()
        out = self.work / f"answer-history-{p}.json"
        run_once(lq["history"], stdout_path=out, env=self.lenv)
        doc = json.loads(out.read_text())
        found = [e for e in doc["entries"] if e["id"] == self.history_id]
        checks["history"] = {"ok": len(found) == 1,
                             "detail": len(found[0]["versions"]) if found else 0}
        out.unlink()
        bad = {k: v for k, v in checks.items() if not v["ok"]}
        if bad:
            log(f"  WARNING: P = {p}: listdiff answers differ from the generator's truth: {bad}")
        return checks

    def state_ids(self, index: int) -> set:
        state: set[str] = set()
        for line in self.truth[: index + 1]:
            state |= set(line["added"])
            state -= set(line["removed"])
        return state

    # -- 4. sizes ---------------------------------------------------------------------------

    def bench_sizes(self) -> None:
        self.results["sizes"] = {}
        for p in self.pubs:
            g = self.results.get("git", {}).get(str(p), {})
            self.results["sizes"][str(p)] = {
                "store": dir_size(self.stores[p]),
                "native_bytes": sum(f.stat().st_size for f in self.files[:p]),
                "snapshot_files_bytes": sum(f.stat().st_size for f in self.files[:p]
                                            if f.name.endswith("-snapshot.json")),
                "states_bytes": g.get("states_bytes"),
                "git_before_gc": g.get("before_gc"),
                "git_after_gc": g.get("after_gc"),
            }

    # -- the large profile ------------------------------------------------------------------

    def run_large(self) -> None:
        p = self.pubs[0]
        self.generate_history(p)
        log(f"ingesting the {p} publications one at a time")
        store = self.work / "store"
        rows = []
        for i, f in enumerate(self.files):
            r = run_once(self.ld(store, "ingest", f), env=self.lenv)
            size = f.stat().st_size
            rows.append({"index": i, "file": f.name, "bytes": size, "seconds": r["seconds"],
                         "peak_rss": r["rss"], "memory_limit": 3 * size + 64 * MIB,
                         "store": dir_size(store)})
            log(f"  {f.name}: {fmt_s(r['seconds'])}, peak RSS {fmt_bytes(r['rss'])}, "
                f"store {fmt_bytes(rows[-1]['store']['disk'])}")
        self.results["large_ingest"] = rows
        parse = {}
        for i in sorted({0, (p - 1) // 10 * 10}):
            f = self.files[i]
            r = run_once([self.bins["json-parse"], f])
            parse[str(i)] = {"seconds": r["seconds"], "peak_rss": r["rss"],
                             "ratio": rows[i]["seconds"] / r["seconds"]}
            log(f"  json-parse {f.name}: {fmt_s(r['seconds'])}")
        self.results["large_parse"] = parse
        self.stores = {p: store}
        d = self.query_dates(p)
        self.results["query_dates"] = {str(p): {k: date_of(v) for k, v in d.items()}}
        last, month, since, mid = (date_of(d[k]) for k in ("last", "month", "since", "mid"))
        lq = {
            "diff": self.ld(store, "diff", month, last, "-o", "json"),
            "since": self.ld(store, "since", since, "-o", "json"),
            "asof_last": self.ld(store, "as-of", last, "-o", "json"),
            "asof_mid": self.ld(store, "as-of", mid, "-o", "json"),
            "history": self.ld(store, "history", self.history_id, "-o", "json"),
        }
        q = {}
        for key, label in QUERIES:
            r = run_once(lq[key], env=self.lenv)
            q[key] = {"cmd": [str(c) for c in lq[key]], "seconds": r["seconds"],
                      "peak_rss": r["rss"]}
            log(f"  listdiff {label}: {fmt_s(r['seconds'])}, peak RSS {fmt_bytes(r['rss'])}")
        self.results["large_queries"] = q
        self.results["large_sizes"] = {
            "store": dir_size(store),
            "native_bytes": sum(f.stat().st_size for f in self.files),
        }

    # -- the decade profile -----------------------------------------------------------------

    def run_decade(self) -> None:
        top = max(self.pubs)
        self.generate_history(top + 1)
        self.generate_side_lists(top + 1)
        self.record_decade()
        self.results["decade"] = {}
        for p in self.pubs:
            self.bench_decade_point(p)
        self.results["sizes"] = {str(p): {"store": dir_size(self.stores[p])} for p in self.pubs}

    def generate_side_lists(self, publications: int) -> None:
        """The two smaller weekly lists, over the same years as the main list."""
        side_n = max(50, self.n // 10)
        weeks = (publications - 1) // DECADE_SIDE_INTERVAL + 1
        self.side_files: list[tuple[str, str, Path]] = []  # (date, list, file)
        self.results["side_lists"] = []
        for list_id, seed in DECADE_SIDE_LISTS:
            out = self.work / f"native-{list_id}"
            run_once([self.bins["listdiff-gen"], "native", "--entries", str(side_n), "--seed",
                      str(seed), "--publications", str(weeks), "--interval-days",
                      str(DECADE_SIDE_INTERVAL), "--snapshot-every",
                      str(DECADE_SIDE_SNAPSHOT_EVERY), "--list", list_id, "--out", out])
            files = sorted(out.glob("*.json"))
            for f in files:
                # NNNNN-YYYY-MM-DD-kind.json
                self.side_files.append((f.name[6:16], list_id, f))
            self.results["side_lists"].append({"list": list_id, "seed": seed, "entries": side_n,
                                               "publications": len(files)})
            log(f"  {list_id}: {len(files)} weekly publications of {side_n} entries")
        self.side_files.sort()

    def env_at(self, now: str) -> dict:
        env = dict(self.lenv)
        env["LISTDIFF_NOW"] = now
        return env

    def record_decade(self) -> None:
        """Records the history as it would have been: one ingest run per month of publications
        (split where a measured store is copied), recorded at the end of the month's last
        publication day; a few corrections and one retraction late in the history."""
        log("recording the history month by month")
        top = max(self.pubs)
        points = set(self.pubs)
        build = self.work / "store-build"
        self.stores, self.store_now, self.chunks = {}, {}, []
        corrections_after = int(top * DECADE_CORRECTIONS_AT)
        side_next = 0
        start = 0
        total_s, peak = 0.0, 0
        while start < top:
            end = start
            ym = date_of(start)[:7]
            while end + 1 < top and date_of(end + 1)[:7] == ym and end + 1 not in points:
                end += 1
            last_day = date_of(end)
            files = list(self.files[start:end + 1])
            while side_next < len(self.side_files) and self.side_files[side_next][0] <= last_day:
                files.append(self.side_files[side_next][2])
                side_next += 1
            now = f"{last_day}T23:00:00Z"
            r = run_once(self.ld(build, "ingest", "--quiet", *files), env=self.env_at(now))
            total_s += r["seconds"]
            peak = max(peak, r["rss"])
            self.chunks.append({"first": start, "last": end, "files": len(files), "now": now,
                                "seconds": r["seconds"]})
            if "corrections" not in self.results and end >= corrections_after and top >= 100:
                self.record_corrections(build, last_day)
                now = self.results["corrections"]["after"]
            if end + 1 in points:
                p = end + 1
                self.stores[p] = self.work / f"store-{p}"
                copy_dir(build, self.stores[p])
                self.store_now[p] = now
                log(f"  P = {p}: {len(self.chunks)} recording runs so far, {fmt_s(total_s)} "
                    f"in all, peak RSS {fmt_bytes(peak)}")
            start = end + 1
        shutil.rmtree(build)
        self.results["recording"] = {"runs": len(self.chunks), "seconds": total_s,
                                     "peak_rss": peak, "chunks": self.chunks}

    def seq_of(self, store: Path, list_id: str, source: str, env: dict) -> int:
        doc = json.loads(output(self.ld(store, "log", "--list", list_id, "-o", "json"), env=env))
        seqs = [e["seq"] for e in doc["events"] if e["source"] == source and e["counts"]]
        if len(seqs) != 1:
            raise BenchError(f"expected one counting event of {list_id} with source {source!r}, "
                             f"found {seqs}")
        return seqs[0]

    def corrected_copy(self, f: Path, out: Path) -> Path | None:
        """The amendment `f` with the reason of its first amended (or added) entry reworded;
        None when it amends and adds nothing."""
        doc = json.loads(f.read_text())
        for key in ("amend", "add"):
            if doc.get(key):
                doc[key][0]["reason"] = doc[key][0]["reason"] + " (Corrected.)"
                out.mkdir(parents=True, exist_ok=True)
                dst = out / f.name
                dst.write_text(json.dumps(doc))
                return dst
        return None

    def record_corrections(self, store: Path, day: str) -> None:
        """After the recording run of `day`: a correction of a main-list amendment about 40
        publications back, one of a weekly list's amendment about two months back, and the
        retraction of the other weekly list's amendment before its snapshot about two months
        back (so no later amendment of it stands on what it changed)."""
        before = f"{day}T23:00:00Z"
        out = self.work / "corrections"
        done = []
        end = (dt.date.fromisoformat(day) - START).days
        k = end - 40
        while self.files[k].name.endswith("-snapshot.json") or \
                self.corrected_copy(self.files[k], out) is None:
            k -= 1
        env = self.env_at(f"{day}T23:30:00Z")
        seq = self.seq_of(store, LIST_ID, f"synthetic {SEED} #{k}", env)
        run_once(self.ld(store, "ingest", "--quiet", "--corrects", str(seq), out / self.files[k].name),
                 env=env)
        done.append({"what": "correction", "list": LIST_ID, "publication": self.files[k].name,
                     "event": seq, "recorded": env["LISTDIFF_NOW"]})
        limit = (dt.date.fromisoformat(day) - dt.timedelta(days=60)).isoformat()
        (list1, seed1), (list2, seed2) = DECADE_SIDE_LISTS
        side1 = [f for d, lst, f in self.side_files if lst == list1 and d <= limit
                 and f.name.endswith("-amendment.json")]
        for f in reversed(side1):
            corrected = self.corrected_copy(f, out / list1)
            if corrected:
                env = self.env_at(f"{day}T23:40:00Z")
                seq = self.seq_of(store, list1, f"synthetic {seed1} #{int(f.name[:5])}", env)
                run_once(self.ld(store, "ingest", "--quiet", "--corrects", str(seq), corrected),
                         env=env)
                done.append({"what": "correction", "list": list1, "publication": f.name,
                             "event": seq, "recorded": env["LISTDIFF_NOW"]})
                break
        side2 = [f for d, lst, f in self.side_files if lst == list2 and d <= limit
                 and f.name.endswith("-amendment.json")
                 and (int(f.name[:5]) + 1) % DECADE_SIDE_SNAPSHOT_EVERY == 0]
        f = side2[-1]
        env = self.env_at(f"{day}T23:50:00Z")
        seq = self.seq_of(store, list2, f"synthetic {seed2} #{int(f.name[:5])}", env)
        run_once(self.ld(store, "retract", str(seq), "--reason",
                         "bench: a retraction late in the history"), env=env)
        done.append({"what": "retraction", "list": list2, "publication": f.name, "event": seq,
                     "recorded": env["LISTDIFF_NOW"]})
        self.results["corrections"] = {"before": before, "after": f"{day}T23:55:00Z",
                                       "events": done}
        log(f"  recorded after {day}: " + "; ".join(
            f"{x['what']} of event {x['event']} ({x['list']} {x['publication']})" for x in done))

    def known_at_mid(self, p: int) -> tuple[str, int]:
        """The recording moment of the run that recorded publication p / 2 of the main list,
        and the last main-list publication recorded by then."""
        for c in self.chunks:
            if c["last"] >= p // 2:
                return c["now"], c["last"]
        raise BenchError(f"no recording run covers publication {p // 2}")

    def bench_decade_point(self, p: int) -> None:
        log(f"decade: the store of P = {p}")
        store, now = self.stores[p], self.store_now[p]
        env = self.env_at(now)
        self.lenv_saved, self.lenv = self.lenv, env
        d = self.query_dates(p)
        dates = {k: date_of(v) for k, v in d.items()}
        last, month, since, mid = (dates[k] for k in ("last", "month", "since", "mid"))
        hid = self.history_id
        known, known_last = self.known_at_mid(p)
        base = {
            "diff": ["diff", month, last],
            "since": ["since", since],
            "asof_last": ["as-of", last],
            "asof_mid": ["as-of", mid],
            "history": ["history", hid],
            "lists": ["lists"],
        }
        row: dict = {"dates": dates, "now": now, "known_at": known,
                     "known_at_last_publication": date_of(known_last)}
        # Correctness on the main list: the plain answers against the generator's truth, and
        # as-of (latest) known at the middle against the state after the last publication
        # recorded by then.
        checks = self.check_answers(p, d, {k: self.ld(store, *a, "--list", LIST_ID, "-o", "json")
                                          for k, a in base.items() if k != "lists"})
        out = self.work / f"answer-known-{p}.json"
        run_once(self.ld(store, *base["asof_last"], "--list", LIST_ID, "--known-at", known, "-o",
                         "json"), stdout_path=out, env=env)
        got = len(json.loads(out.read_text())["entries"])
        want = len(self.state_ids(known_last))
        checks["asof_last_known"] = {"ok": got == want, "detail": got, "want": want}
        out.unlink()
        if got != want:
            log(f"  WARNING: as-of {last} --known-at {known}: {got} entries, the truth {want}")
        row["checks"] = checks
        q = {}
        for key, args in base.items():
            label = dict(QUERIES).get(key, key)
            plain = measure(f"P = {p}: {label}", self.ld(store, *args, "-o", "json"), env=env)
            ka = measure(f"P = {p}: {label} --known-at {known}",
                         self.ld(store, *args, "--known-at", known, "-o", "json"), env=env)
            q[key] = {"plain": plain, "known_at": ka, "ratio": ka["median"] / plain["median"]}
        c = self.results.get("corrections")
        if c and c["after"] <= now:
            # Known at a moment after the corrections and the retraction.
            for key in ("asof_last", "since"):
                q[key]["known_at_late"] = measure(
                    f"P = {p}: {dict(QUERIES)[key]} --known-at {c['after']} (after the "
                    f"corrections)", self.ld(store, *base[key], "--known-at", c["after"], "-o",
                                             "json"), env=env)
        row["queries"] = q
        # Peak memory of as-of (latest) by output format.
        row["asof_output"] = {
            fmt: measure(f"P = {p}: as-of (latest) -o {fmt}",
                         self.ld(store, "as-of", last, "-o", fmt), env=env, runs=2)
            for fmt in ("table", "csv", "json")}
        # Whole-store commands.
        export = self.work / f"export-{p}.jsonl"
        scratch = self.work / "scratch-store"
        m = {"verify": measure(f"P = {p}: verify", self.ld(store, "verify"), env=env),
             "export": measure(f"P = {p}: export", self.ld(store, "export", "-o", export),
                               env=env)}
        m["export_bytes"] = export.stat().st_size
        m["import"] = measure(f"P = {p}: import", self.ld(scratch, "import", export), env=env,
                              prepare=lambda: shutil.rmtree(scratch, ignore_errors=True))
        m["rebuild"] = measure(f"P = {p}: rebuild", self.ld(scratch, "rebuild"), env=env,
                               prepare=lambda: copy_dir(store, scratch))
        export.unlink()
        f = self.files[p]
        if not f.name.endswith("-snapshot.json"):
            raise BenchError(f"publication {p} ({f.name}) is not a snapshot")
        ienv = self.env_at(f"{date_of(p)}T23:00:00Z")
        m["ingest"] = measure(f"P = {p}: ingest of {f.name}",
                              self.ld(scratch, "ingest", "--quiet", f), env=ienv,
                              prepare=lambda: copy_dir(store, scratch))
        m["ingest_empty"] = measure(f"P = {p}: ingest of {f.name} into an empty store",
                                    self.ld(scratch, "ingest", "--quiet", f), env=ienv,
                                    prepare=lambda: shutil.rmtree(scratch, ignore_errors=True))
        m["json_parse"] = measure("json-parse (typed)", [self.bins["json-parse"], f])
        shutil.rmtree(scratch, ignore_errors=True)
        row["store_commands"] = m
        self.lenv = self.lenv_saved
        self.results["decade"][str(p)] = row

    # -- main -------------------------------------------------------------------------------

    def run(self) -> None:
        self.results["outputs"] = {k: self.profile[k] for k in ("markdown", "json", "plot")}
        self.prepare_work()
        if self.git_only:
            self.build_git()
            log(f"git repositories built and cached in {self.git_cache()}")
            return
        if self.profile_name == "large":
            self.run_large()
        elif self.profile_name == "decade":
            self.run_decade()
        else:
            self.bench_compare()
            self.generate_history(max(self.pubs) + 1)
            self.build_stores()
            self.bench_ingest()
            self.build_git()
            self.bench_queries()
            self.bench_sizes()
        self.results["elapsed_s"] = time.monotonic() - T0
        self.write()

    # -- report -----------------------------------------------------------------------------

    def write(self) -> None:
        jpath = ROOT / self.profile["json"]
        jpath.write_text(json.dumps(self.results, indent=1, default=str) + "\n")
        plot = None
        if self.profile["plot"] and self.profile_name != "large":
            plot = self.profile["plot"]
            if self.profile_name == "decade":
                make_plot_decade(self.results, ROOT / plot)
            else:
                make_plot(self.results, ROOT / plot)
        md = ROOT / self.profile["markdown"]
        notes = NOTES_PLACEHOLDER + "\n"
        if md.exists():
            text = md.read_text()
            lines = text.splitlines(keepends=True)
            for i, line in enumerate(lines):
                if line.strip() == NOTES_MARKER:
                    kept = "".join(lines[i + 1:])
                    notes = kept if kept.strip() else notes
                    break
        if self.profile_name == "large":
            body = render_large(self.results)
        elif self.profile_name == "decade":
            body = render_decade(self.results)
        else:
            body = render(self.results, plot, self.profile)
        md.write_text(body + "\n## Notes\n\n" + NOTES_MARKER + "\n" + notes)
        written = [self.profile["markdown"], self.profile["json"]] + ([plot] if plot else [])
        if not self.custom and self.profile_name in ("decade", "large"):
            # BENCHMARKS.md's table of the issue-15 targets draws on every profile's results.
            update_issue15_section(ROOT / PROFILES["default"]["markdown"],
                                   issue15_lines(ROOT, {self.profile_name: self.results}))
            written.append(PROFILES["default"]["markdown"] + " (issue-15 targets)")
        log(f"wrote {', '.join(written)} in {fmt_s(self.results['elapsed_s'])}")


# ---------------------------------------------------------------------------------------------
# Rendering


def header(r: dict, title: str) -> list[str]:
    m, v = r["machine"], r["versions"]
    when = r["generated"]
    out = [
        f"<!-- Generated by bench/run on {when}. Everything above the Notes section is "
        f"rewritten by each run; write only below the notes marker. -->",
        f"# {title}",
        "",
        f"Generated by `bench/run{'' if r['profile'] == 'default' else ' --' + r['profile']}` "
        f"{' with --entries/--publications overrides (a harness test)' if r.get('custom') else ''} "
        f"on {when[:10]} ({fmt_s(r['elapsed_s'])} in all). Raw measurements: "
        f"[`{r['outputs']['json']}`]({rel_link(r, r['outputs']['json'])}).",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']} |",
        f"| cores | {m['cores']} |",
        f"| memory | {fmt_bytes(m['ram'])} |",
        f"| OS | {m['os']} |",
        f"| listdiff | {v['listdiff']}, commit `{v['commit']}` (binary sha256 "
        f"`{v['listdiff_sha256']}…`) |",
        f"| rustc | {v['rustc']} |",
        f"| git | {v['git']} |",
        f"| Python | {v['python']} |",
        f"| csv-diff | {v['csv-diff']} |",
        f"| matplotlib | {v['matplotlib']} |",
        "",
        "## Method",
        "",
        f"- Profile `{r['profile']}`: synthetic history of a list of {r['entries']:,} entries "
        f"(`listdiff-gen`, seed {r['seed']}), one publication a day from {START.isoformat()}, "
        f"every {r['snapshot_every']}th a snapshot and the others amendments, "
        f"{max(1, round(r['change_rate'] * r['entries'])):,} changes per publication.",
        "- Every figure is a whole process (start, work, exit) with its standard output to "
        "`/dev/null`, timed by the wall clock. "
        + ("Each step of this profile runs once."
           if r["profile"] == "large" else
           f"A figure is the median of {r['runs']} runs, or of fewer (at least 1) when the runs "
           f"of one measurement would take more than about {r['budget_s']:.0f} s in all; the "
           f"run count is given with each figure."),
        "- Peak memory is the maximum resident set size of the process (and its children), "
        + ("measured by GNU time (`/usr/bin/time -f %M`)"
           if r["memory"]["method"] == "gnu-time" else
           "measured by a small Python wrapper (`wait4`; GNU time was not found)")
        + f"; the wrapper itself shows as {fmt_bytes(r['memory']['floor'])} for `true`.",
        "- The machine is shared and noisy: ratios are from one run.",
        "",
    ]
    return out


def rel_link(r: dict, path: str) -> str:
    # Links are relative to the markdown file.
    md = r["outputs"]["markdown"]
    if md.startswith("bench/") and path.startswith("bench/"):
        return path[len("bench/"):]
    return path


def render(r: dict, plot: str | None, profile: dict) -> str:
    pubs = r["publications"]
    top, low = max(pubs), min(pubs)
    second = sorted(pubs)[-2] if len(pubs) > 1 else top
    out = header(r, "listdiff benchmarks" + ("" if r["profile"] == "default"
                                             else f" ({r['profile']} profile)"))
    if r["profile"] != "default":
        out += [f"> A `--{r['profile']}` run: smaller than the default profile the targets are "
                f"written for, so the ✅/❌ below only check the harness.", ""]
    targets = []

    c = r["compare"]
    targets.append((f"compare at least 100× faster than csv-diff ({c['rows']:,} rows)",
                    fmt_ratio(c["ratio"]), "≥ 100×", c["ratio"] >= 100))
    for p in pubs:
        i = r["ingest"][str(p)]
        targets.append((f"ingest of a snapshot into a store of P = {p:,} at most 3× "
                        f"json-parse of the file", fmt_ratio(i["ratio"]), "≤ 3×", i["ratio"] <= 3))
    q = r["queries"]
    for key, label in QUERIES:
        a, b = q[str(top)][key]["listdiff"]["median"], q[str(low)][key]["listdiff"]["median"]
        targets.append((f"{label}: time at P = {top:,} at most 1.5× time at P = {low:,}",
                        fmt_ratio(a / b), "≤ 1.5×", a / b <= 1.5))
    for key, label in QUERIES:
        row = q[str(top)][key]
        if not row["git"]:
            continue
        lt, gt = row["listdiff"]["median"], row["git"]["median"]
        if key.startswith("asof"):
            targets.append((f"{label}: within 2× of `git show` at P = {top:,}",
                            fmt_ratio(lt / gt) + " of git", "≤ 2×", lt / gt <= 2))
        else:
            targets.append((f"{label}: at least 2× faster than git at P = {top:,}",
                            fmt_ratio(gt / lt) + " faster", "≥ 2×", gt / lt >= 2))
    s = r["sizes"]
    st_top, st_second = s[str(top)]["store"]["disk"], s[str(second)]["store"]["disk"]
    targets.append((f"store at P = {top:,} at most 1.5× the store at P = {second:,}",
                    fmt_ratio(st_top / st_second), "≤ 1.5×", st_top / st_second <= 1.5))
    g_top = (s[str(top)]["git_after_gc"] or {}).get("disk")
    if g_top:
        targets.append((f"store at P = {top:,} at most 5× the `git gc --aggressive` repository",
                        fmt_ratio(st_top / g_top), "≤ 5×", st_top / g_top <= 5))
    for p in pubs:
        i = r["ingest"][str(p)]
        rss, lim = i["listdiff"]["peak_rss"], i["memory_limit"]
        targets.append((f"ingest peak memory at P = {p:,} at most 3× the file "
                        f"({fmt_bytes(i['bytes'])}) + 64 MiB",
                        fmt_bytes(rss), f"≤ {fmt_bytes(lim)}", rss <= lim))
    checks_ok = c["same_as_csv_diff"] and c["same_as_truth"]
    bad_checks = [(p, k) for p in pubs for k, _ in QUERIES
                  if q[str(p)][k]["check"] and not q[str(p)][k]["check"]["ok"]]

    met = sum(1 for t in targets if t[3])
    out += ["## Targets", "",
            f"{met} of {len(targets)} targets met. Answers: compare "
            f"{'agrees' if checks_ok else 'DISAGREES'} with csv-diff and the generator's truth; "
            + ("diff, since, as-of and history agree with the generator's truth at every P."
               if not bad_checks else
               f"listdiff answers DIFFER from the generator's truth: {bad_checks}."),
            "",
            "| target | measured | limit | met |", "| --- | --- | --- | --- |"]
    out += [f"| {t} | {m} | {lim} | {ok(flag)} |" for t, m, lim, flag in targets]
    out.append("")

    # 1. compare
    out += ["## 1. compare: listdiff against csv-diff", "",
            f"Two CSL-layout `consolidated.csv` states of {c['rows']:,} rows, after publications "
            f"0 and 30 (a month apart; {fmt_bytes(c['old_bytes'])} and "
            f"{fmt_bytes(c['new_bytes'])}).", "",
            "| tool | command | time | peak memory |", "| --- | --- | --- | --- |",
            f"| listdiff | `listdiff compare OLD NEW -o json` | {fmt_m(c['listdiff'])} | "
            f"{fmt_bytes(c['listdiff']['peak_rss'])} |",
            f"| csv-diff | `csv-diff OLD NEW --key _id --json` | {fmt_m(c['csv_diff'])} | "
            f"{fmt_bytes(c['csv_diff']['peak_rss'])} |", "",
            f"listdiff is **{fmt_ratio(c['ratio'])}** faster. Correctness: listdiff found "
            f"{c['counts']['added']} added, {c['counts']['removed']} removed and "
            f"{c['counts']['changed']} changed; the same ids as csv-diff: "
            f"{ok(c['same_as_csv_diff'])}; the same as the generator's truth: "
            f"{ok(c['same_as_truth'])}.", ""]

    # 2. ingest
    out += ["## 2. ingest of one snapshot against serde_json alone", "",
            f"Publication P (a snapshot of {r['entries']:,} entries) recorded into a copy of the "
            f"store holding publications 0 to P − 1. `json-parse` is the bench crate's release "
            f"binary that only reads the file and parses it with serde_json into typed structs "
            f"(or `serde_json::Value`).", "",
            "| P | file | listdiff ingest | json-parse (typed) | json-parse (Value) | "
            "ingest / typed | ingest peak memory | limit (3× file + 64 MiB) |",
            "| ---: | --- | --- | --- | --- | ---: | ---: | ---: |"]
    for p in pubs:
        i = r["ingest"][str(p)]
        out.append(f"| {p:,} | {fmt_bytes(i['bytes'])} | {fmt_m(i['listdiff'])} | "
                   f"{fmt_m(i['json_parse'])} | {fmt_m(i['json_parse_value'])} | "
                   f"{fmt_ratio(i['ratio'])} | {fmt_bytes(i['listdiff']['peak_rss'])} | "
                   f"{fmt_bytes(i['memory_limit'])} |")
    out += ["", f"Building the stores (ingest in commands of up to {INGEST_CHUNK} files; "
            f"generating the {len(pubs) and max(pubs) + 1:,} publications took "
            f"{fmt_s(r['generate_native_s'])}):", "",
            "| publications | ingest time | peak memory |", "| --- | --- | ---: |"]
    prev = 0
    for p in pubs:
        b = r["build"][str(p)]
        out.append(f"| {prev:,} to {p - 1:,} | {fmt_s(b['seconds'])} | "
                   f"{fmt_bytes(b['peak_rss'])} |")
        prev = p
    out.append("")

    # 3. queries
    out += ["## 3. queries: listdiff against git", "",
            "The git repository holds one commit per publication of the whole CSV state "
            f"(`{CSV_FILE}`, built with `git fast-import`, then `git gc --aggressive`), tagged "
            "`dYYYY-MM-DD`. Dates per P: *last* = publication P − 1, *month* = P − 31, "
            "*since* = P − 30 (so `since` and `diff` cover the same 30 publications), "
            "*mid* = P / 2 (*month* clamped at publication 0 for small P). History ID: "
            f"`{r['history_id']}` ({r['history_pick']}).", "",
            "| query | listdiff | git |", "| --- | --- | --- |",
            "| diff (a month) | `listdiff diff MONTH LAST -o json` | "
            f"`git diff dMONTH dLAST -- {CSV_FILE}` |",
            "| since (a month) | `listdiff since SINCE -o json` | "
            f"`git log -p dMONTH..dLAST -- {CSV_FILE}` |",
            "| as-of (latest) | `listdiff as-of LAST -o json` | "
            f"`git show dLAST:{CSV_FILE}` |",
            "| as-of (middle) | `listdiff as-of MID -o json` | "
            f"`git show dMID:{CSV_FILE}` |",
            "| history ID | `listdiff history ID -o json` | "
            f"`git log -p -- {CSV_FILE} \\| grep -F ID` |", "",
            "| P | last | month | since | mid |", "| ---: | --- | --- | --- | --- |"]
    for p in pubs:
        d = r["query_dates"][str(p)]
        out.append(f"| {p:,} | {d['last']} | {d['month']} | {d['since']} | {d['mid']} |")
    out += ["", "| query | P | listdiff | git | git / listdiff | listdiff peak memory | "
            "answer checked |",
            "| --- | ---: | --- | --- | ---: | ---: | --- |"]
    for key, label in QUERIES:
        for p in pubs:
            row = q[str(p)][key]
            lt = row["listdiff"]
            gt = row["git"]
            chk = row["check"]
            out.append(f"| {label} | {p:,} | {fmt_m(lt)} | {fmt_m(gt)} | "
                       f"{fmt_ratio(gt['median'] / lt['median']) if gt else '–'} | "
                       f"{fmt_bytes(lt['peak_rss'])} | {ok(chk['ok']) if chk else '–'} |")
    out += ["", f"How cost grows from P = {low:,} to P = {top:,} (time at {top:,} / time at "
            f"{low:,}):", "", "| query | listdiff | git |", "| --- | ---: | ---: |"]
    for key, label in QUERIES:
        lt = q[str(top)][key]["listdiff"]["median"] / q[str(low)][key]["listdiff"]["median"]
        g1, g0 = q[str(top)][key]["git"], q[str(low)][key]["git"]
        gt = g1["median"] / g0["median"] if g1 and g0 else None
        out.append(f"| {label} | {fmt_ratio(lt)} | {fmt_ratio(gt)} |")
    out.append("")
    if plot:
        out += [f"![Query time against the number of publications P, log-log: listdiff solid, "
                f"git dashed]({rel_link(r, plot)})", ""]

    # 4. sizes
    out += ["## 4. size on disk", "",
            "Allocated bytes on disk (apparent bytes in brackets where they differ). *Native "
            "files*: the publications 0 to P − 1 that were ingested; *full states*: every one of "
            "the P whole CSV states (what a snapshot per publication amounts to).", "",
            "| P | listdiff store | native files | full CSV states | git before gc | "
            "git after gc --aggressive | gc --aggressive time | store / git |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in pubs:
        z = s[str(p)]
        g = r.get("git", {}).get(str(p), {})
        st = z["store"]
        ga = z["git_after_gc"] or {}
        out.append(f"| {p:,} | {fmt_bytes(st['disk'])}"
                   + (f" ({fmt_bytes(st['apparent'])})"
                      if fmt_bytes(st["apparent"]) != fmt_bytes(st["disk"]) else "")
                   + f" | {fmt_bytes(z['native_bytes'])} | {fmt_bytes(z['states_bytes'])} | "
                   f"{fmt_bytes((z['git_before_gc'] or {}).get('disk'))} | "
                   f"{fmt_bytes(ga.get('disk'))} | {fmt_s(g.get('gc_aggressive_s'))} | "
                   f"{fmt_ratio(st['disk'] / ga['disk']) if ga.get('disk') else '–'} |")
    gi = r.get("git", {}).get(str(top), {})
    if "fast_import_s" in gi:
        out += ["", f"`git fast-import` of the {top:,} commits took {fmt_s(gi['fast_import_s'])}."]
    limited = [(p, r["git"][str(p)]) for p in pubs if r.get("git", {}).get(str(p), {})
               .get("gc_config")]
    if limited:
        out += ["", "`git gc --aggressive` keeps a window of 250 objects per thread, each with a "
                "delta index about its own size; to fit in memory it ran with "
                + ", ".join(f"`git {' '.join(g['gc_config'])}` at P = {p:,}" for p, g in limited)
                + " (half the memory available, per thread)."]
    peaks = [(p, r["git"][str(p)].get("gc_peak_rss")) for p in pubs
             if r.get("git", {}).get(str(p), {}).get("gc_peak_rss")]
    if peaks:
        out += ["", "Peak memory of `git gc --aggressive`: "
                + ", ".join(f"{fmt_bytes(m)} at P = {p:,}" for p, m in peaks) + "."]
    out.append("")

    # 5. memory
    out += ["## 5. peak memory of each listdiff command", "",
            "| command | P | peak memory |", "| --- | ---: | ---: |",
            f"| compare OLD NEW -o json | – | {fmt_bytes(c['listdiff']['peak_rss'])} |"]
    prev = 0
    for p in pubs:
        out.append(f"| ingest of publications {prev:,} to {p - 1:,} (store build) | {p:,} | "
                   f"{fmt_bytes(r['build'][str(p)]['peak_rss'])} |")
        prev = p
    for p in pubs:
        out.append(f"| ingest of one snapshot | {p:,} | "
                   f"{fmt_bytes(r['ingest'][str(p)]['listdiff']['peak_rss'])} |")
    for key, label in QUERIES:
        for p in pubs:
            out.append(f"| {label} | {p:,} | "
                       f"{fmt_bytes(q[str(p)][key]['listdiff']['peak_rss'])} |")
    out.append("")
    if r["profile"] == "default" and not r.get("custom"):
        out += issue15_lines(ROOT, {"default": r})
    return "\n".join(out)


def render_large(r: dict) -> str:
    out = header(r, "listdiff benchmarks (large profile)")
    rows = r["large_ingest"]
    p = len(rows)
    total = sum(x["seconds"] for x in rows)
    worst = max(rows, key=lambda x: x["peak_rss"] / x["memory_limit"])
    z = r["large_sizes"]
    out += ["## Summary", "",
            f"- {p} publications of a list of {r['entries']:,} entries ingested one per command "
            f"in {fmt_s(total)} in all (generating them took {fmt_s(r['generate_native_s'])}).",
            f"- Store after {p} publications: {fmt_bytes(z['store']['disk'])} on disk "
            f"({fmt_bytes(z['store']['apparent'])} apparent); the native files ingested: "
            f"{fmt_bytes(z['native_bytes'])}.",
            f"- Highest ingest peak memory relative to its limit (3× file + 64 MiB): "
            f"{rows[worst['index']]['file']}, {fmt_bytes(worst['peak_rss'])} against "
            f"{fmt_bytes(worst['memory_limit'])} {ok(worst['peak_rss'] <= worst['memory_limit'])}.",
            ""]
    out += ["## Ingest against serde_json alone", "",
            "| publication | file | listdiff ingest | json-parse (typed) | ingest / parse |",
            "| --- | ---: | --- | --- | ---: |"]
    for i, x in r["large_parse"].items():
        row = rows[int(i)]
        out.append(f"| {row['file']} | {fmt_bytes(row['bytes'])} | {fmt_s(row['seconds'])} | "
                   f"{fmt_s(x['seconds'])} | {fmt_ratio(x['ratio'])} |")
    out += ["", "## Queries (one run each)", ""]
    d = r["query_dates"][str(p)]
    out += [f"Dates: last {d['last']}, month {d['month']}, since {d['since']}, mid {d['mid']}; "
            f"history ID `{r['history_id']}` ({r['history_pick']}).", "",
            "| query | command | time | peak memory |", "| --- | --- | --- | ---: |"]
    for key, label in QUERIES:
        x = r["large_queries"][key]
        cmd = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(x["cmd"])
                       if c != "--store" and not c.startswith("/"))
        out.append(f"| {label} | `{cmd}` | {fmt_s(x['seconds'])} | {fmt_bytes(x['peak_rss'])} |")
    out += ["", "## Ingest of each publication", "",
            "| publication | file size | time | peak memory | limit (3× file + 64 MiB) | "
            "store after |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for x in rows:
        out.append(f"| {x['file']} | {fmt_bytes(x['bytes'])} | {fmt_s(x['seconds'])} | "
                   f"{fmt_bytes(x['peak_rss'])} {ok(x['peak_rss'] <= x['memory_limit'])} | "
                   f"{fmt_bytes(x['memory_limit'])} | {fmt_bytes(x['store']['disk'])} |")
    out.append("")
    return "\n".join(out)


DECADE_QUERIES = QUERIES + [("lists", "lists")]


def render_decade(r: dict) -> str:
    pubs = r["publications"]
    low, top = min(pubs), max(pubs)
    out = header(r, "listdiff benchmarks (decade profile)")
    dd = r["decade"]
    side = r["side_lists"]
    rec = r["recording"]
    corr = r.get("corrections")
    out += ["## The history", "",
            f"- The main list `{LIST_ID}`: {max(pubs) + 1:,} daily publications generated "
            f"(0 to {max(pubs):,}, {date_of(0)} to {date_of(max(pubs))}) of {r['entries']:,} "
            f"entries, a snapshot every {r['snapshot_every']}th.",
            "- Two smaller lists: " + ", ".join(
                f"`{s['list']}` ({s['publications']:,} weekly publications of {s['entries']:,} "
                f"entries, seed {s['seed']})" for s in side)
            + f", a snapshot every {DECADE_SIDE_SNAPSHOT_EVERY}th.",
            f"- Recorded as it would have been: {rec['runs']:,} `listdiff ingest` runs, one per "
            f"month of publications (split where a measured store is copied), each with "
            f"`LISTDIFF_NOW` at 23:00 UTC of the last publication day it holds; "
            f"{fmt_s(rec['seconds'])} in all, peak memory {fmt_bytes(rec['peak_rss'])}.",
            ]
    if corr:
        out.append("- Late in the history, after the run of " + corr["before"][:10] + ": "
                   + "; ".join(f"a {x['what']} of event {x['event']} (`{x['list']}` "
                               f"`{x['publication']}`, recorded {x['recorded']})"
                               for x in corr["events"]) + ".")
    out += ["- *P* below is the number of main-list publications in the store (the weekly lists "
            "add one event each per 7 days). Each query runs over the whole store (all "
            "three lists); `--known-at` is the recording moment of the run that recorded "
            "publication P / 2 (the middle of the recording history). Every command runs with "
            "`LISTDIFF_NOW` at the store's last recording moment.", ""]
    out += ["| P | events (all lists) | last | month | since | mid | --known-at | "
            "main list known then up to |", "| ---: | ---: | --- | --- | --- | --- | --- | --- |"]
    for p in pubs:
        x = dd[str(p)]
        d = x["dates"]
        events = decade_events(r, p)
        out.append(f"| {p:,} | {events:,} | {d['last']} | {d['month']} | {d['since']} | "
                   f"{d['mid']} | {x['known_at']} | {x['known_at_last_publication']} |")
    bad = [(p, k) for p in pubs for k, v in dd[str(p)]["checks"].items() if not v["ok"]]
    out += ["", "Answers checked on the main list (`--list`) against the generator's truth "
            "(diff, since, as-of latest and middle, history, and as-of latest `--known-at` "
            "against the state after the last publication recorded by then): "
            + ("all agree ✅." if not bad else f"❌ DIFFER: {bad}."), ""]

    out += ["## Queries with and without `--known-at`", "",
            "| query | P | plain | --known-at (middle) | known-at / plain | plain peak memory | "
            "known-at peak memory |", "| --- | ---: | --- | --- | ---: | ---: | ---: |"]
    for key, label in DECADE_QUERIES:
        for p in pubs:
            x = dd[str(p)]["queries"][key]
            out.append(f"| {label} | {p:,} | {fmt_m(x['plain'])} | {fmt_m(x['known_at'])} | "
                       f"{fmt_ratio(x['ratio'])} | {fmt_bytes(x['plain']['peak_rss'])} | "
                       f"{fmt_bytes(x['known_at']['peak_rss'])} |")
    late = [(p, key, dd[str(p)]["queries"][key]) for p in pubs for key, _ in DECADE_QUERIES
            if "known_at_late" in dd[str(p)]["queries"][key]]
    if late:
        out += ["", f"Known at a moment after the corrections and the retraction "
                f"(`--known-at {corr['after']}`):", "",
                "| query | P | plain | --known-at (after the corrections) | ratio |",
                "| --- | ---: | --- | --- | ---: |"]
        for p, key, x in late:
            out.append(f"| {dict(DECADE_QUERIES)[key]} | {p:,} | {fmt_m(x['plain'])} | "
                       f"{fmt_m(x['known_at_late'])} | "
                       f"{fmt_ratio(x['known_at_late']['median'] / x['plain']['median'])} |")
    out += ["", f"How cost grows from P = {low:,} to P = {top:,} (time at {top:,} / time at "
            f"{low:,}):", "", "| query | plain | --known-at |", "| --- | ---: | ---: |"]
    for key, label in DECADE_QUERIES:
        a, b = dd[str(top)]["queries"][key], dd[str(low)]["queries"][key]
        out.append(f"| {label} | {fmt_ratio(a['plain']['median'] / b['plain']['median'])} | "
                   f"{fmt_ratio(a['known_at']['median'] / b['known_at']['median'])} |")
    if r["outputs"].get("plot"):
        out += ["", f"![Query time against P, log-log: plain solid, --known-at dashed]"
                f"({rel_link(r, r['outputs']['plot'])})"]
    out += ["", "## as-of (latest) by output format", "",
            "| P | table | csv | json | table peak / csv peak |",
            "| ---: | --- | --- | --- | ---: |"]
    for p in pubs:
        a = dd[str(p)]["asof_output"]
        out.append(f"| {p:,} | {fmt_m(a['table'])}, {fmt_bytes(a['table']['peak_rss'])} | "
                   f"{fmt_m(a['csv'])}, {fmt_bytes(a['csv']['peak_rss'])} | "
                   f"{fmt_m(a['json'])}, {fmt_bytes(a['json']['peak_rss'])} | "
                   f"{fmt_ratio(a['table']['peak_rss'] / a['csv']['peak_rss'])} |")
    out += ["", "## Whole-store commands, size and ingest", "",
            "`ingest` records publication P (a snapshot) into a copy of the store; *into an empty "
            "store* records the same file into no store; `rebuild` runs on a copy; `import` reads "
            "the export into a new store.", "",
            "| P | store on disk | export | verify | export | import | rebuild | ingest | "
            "ingest into an empty store | empty / with history | ingest / json-parse |",
            "| ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | ---: | ---: |"]
    for p in pubs:
        m = dd[str(p)]["store_commands"]
        st = r["sizes"][str(p)]["store"]
        out.append(f"| {p:,} | {fmt_bytes(st['disk'])} | {fmt_bytes(m['export_bytes'])} | "
                   f"{fmt_m(m['verify'])} | {fmt_m(m['export'])} | {fmt_m(m['import'])} | "
                   f"{fmt_m(m['rebuild'])} | {fmt_m(m['ingest'])} | {fmt_m(m['ingest_empty'])} | "
                   f"{fmt_ratio(m['ingest_empty']['median'] / m['ingest']['median'])} | "
                   f"{fmt_ratio(m['ingest']['median'] / m['json_parse']['median'])} |")
    out += ["", "Peak memory: " + "; ".join(
        f"P = {p:,}: " + ", ".join(
            f"{k} {fmt_bytes(dd[str(p)]['store_commands'][k]['peak_rss'])}"
            for k in ("verify", "export", "import", "rebuild", "ingest", "ingest_empty"))
        for p in pubs) + ".", ""]
    if not r.get("custom"):
        out += ["The issue-15 targets drawn from this run and the others are in "
                "[BENCHMARKS.md](../BENCHMARKS.md#issue-15-targets).", ""]
    return "\n".join(out)


def decade_events(r: dict, p: int) -> int:
    """The events in the store of P = p: the files its recording runs ingested, and the
    corrections and the retraction when they were recorded before it was copied."""
    chunks = [c for c in r["recording"]["chunks"] if c["last"] < p]
    events = sum(c["files"] for c in chunks)
    corr = r.get("corrections")
    if corr and chunks and corr["before"] <= chunks[-1]["now"]:
        events += len(corr["events"])
    return events


def finish_time_plot(fig, ax, pubs: list, path: Path, xlabel: str, title: str) -> None:
    """Log-log axes of query time against P (a tick at each P), labels, legend; saves `path`."""
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(pubs)
    ax.set_xticklabels([f"{p:,}" for p in pubs])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda y, _pos: fmt_s(y).replace(".0 ms", " ms").replace(".00 s", " s")))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("time per query, whole process (median)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def make_plot_decade(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "listdiff-bench"
    import matplotlib.pyplot as plt

    pubs = r["publications"]
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for n, (key, label) in enumerate(DECADE_QUERIES):
        colour = f"C{n}"
        rows = [r["decade"][str(p)]["queries"][key] for p in pubs]
        ax.plot(pubs, [x["plain"]["median"] for x in rows], color=colour, linestyle="-",
                marker="o", label=label)
        ax.plot(pubs, [x["known_at"]["median"] for x in rows], color=colour, linestyle="--",
                marker="s", markerfacecolor="none", label=f"{label} --known-at")
    finish_time_plot(fig, ax, pubs, path, "main-list publications in the store (P)",
                     f"listdiff, decade profile: plain (solid) and --known-at the middle of the "
                     f"recording (dashed); {r['entries']:,}-entry list + 2 weekly lists")


# ---------------------------------------------------------------------------------------------
# The issue-15 targets, from whichever runs exist

ISSUE15_BEGIN = "<!-- issue-15 targets: rewritten by every bench/run profile -->"
ISSUE15_END = "<!-- /issue-15 targets -->"


def load_results(root: Path, given: dict) -> dict:
    """The results of the default, decade and large profiles: those of this run (`given`),
    else the committed JSON files."""
    runs = {}
    for name in ("default", "decade", "large"):
        if name in given:
            runs[name] = given[name]
            continue
        path = root / PROFILES[name]["json"]
        try:
            runs[name] = json.loads(path.read_text())
        except (OSError, ValueError):
            runs[name] = None
    return runs


def issue15_lines(root: Path, given: dict) -> list[str]:
    """The table of every issue-15 target with its measured ratio, each row naming its run."""
    runs = load_results(root, given)
    rows = []

    def src(name: str) -> str:
        x = runs[name]
        return (f"{name}, {x['generated'][:10]}, `{x['versions']['commit']}`"
                if x else f"{name}: no run")

    def add(what, measured, limit, met, run):
        rows.append((what, measured, limit,
                     "–" if met is None else ok(met), run))

    dc = runs["decade"]
    if dc:
        pubs = dc["publications"]
        for p in (min(pubs), max(pubs)):
            for key in ("asof_last", "asof_mid", "since", "diff", "history", "lists"):
                x = dc["decade"][str(p)]["queries"][key]
                add(f"{dict(DECADE_QUERIES)[key]} with `--known-at` within 2× of without, "
                    f"P = {p:,}", f"{fmt_ratio(x['ratio'])} ({fmt_s(x['known_at']['median'])} "
                    f"vs {fmt_s(x['plain']['median'])})", "≤ 2×", x["ratio"] <= 2, src("decade"))
    else:
        add("queries with `--known-at` within 2× of without, at 310 and 3,650 events",
            "not measured", "≤ 2×", None, src("decade"))
    df = runs["default"]
    if df:
        top = max(df["publications"])
        i = df["ingest"][str(top)]
        add(f"ingest of a {df['entries']:,}-entry snapshot into a store of P = {top:,} / "
            f"json-parse (typed)",
            fmt_ratio(i["ratio"]), "≤ 2×", i["ratio"] <= 2, src("default"))
        if "empty" in i:
            e = i["empty"]["median"] / i["listdiff"]["median"]
            add(f"the same snapshot into an empty store / into the store of P = {top:,}",
                fmt_ratio(e), "≤ 1.3×", e <= 1.3, src("default"))
    if dc:
        p = max(dc["publications"])
        m = dc["decade"][str(p)]["store_commands"]
        e = m["ingest_empty"]["median"] / m["ingest"]["median"]
        add(f"a {dc['entries']:,}-entry snapshot into an empty store / into the store of "
            f"P = {p:,}",
            f"{fmt_ratio(e)} ({fmt_s(m['ingest_empty']['median'])} vs "
            f"{fmt_s(m['ingest']['median'])})", "≤ 1.3×", e <= 1.3, src("decade"))
        pr = m["ingest"]["median"] / m["json_parse"]["median"]
        add(f"ingest of a snapshot into the store of P = {p:,} / json-parse (typed)",
            fmt_ratio(pr), "≤ 2×", pr <= 2, src("decade"))
    if df:
        pubs = df["publications"]
        low, top = min(pubs), max(pubs)
        for key in ("asof_last", "asof_mid"):
            a = df["queries"][str(top)][key]["listdiff"]["median"]
            b = df["queries"][str(low)][key]["listdiff"]["median"]
            add(f"{dict(QUERIES)[key]}: time at P = {top:,} / at P = {low:,}", fmt_ratio(a / b),
                "≤ 1.3×", a / b <= 1.3, src("default"))
    if dc:
        pubs = dc["publications"]
        low, top = min(pubs), max(pubs)
        for key in ("asof_last", "asof_mid"):
            a = dc["decade"][str(top)]["queries"][key]["plain"]["median"]
            b = dc["decade"][str(low)]["queries"][key]["plain"]["median"]
            add(f"{dict(QUERIES)[key]}: time at P = {top:,} / at P = {low:,}", fmt_ratio(a / b),
                "≤ 1.3×", a / b <= 1.3, src("decade"))
    if df:
        for p in df["publications"]:
            z = df["sizes"][str(p)]
            g = (z.get("git_after_gc") or {}).get("disk")
            if g:
                x = z["store"]["disk"] / g
                add(f"store / `git gc --aggressive` of the same states, P = {p:,}", fmt_ratio(x),
                    "≤ 3×", x <= 3, src("default"))
        pubs = sorted(df["publications"])
        if len(pubs) > 1:
            a, b = (df["sizes"][str(p)]["store"]["disk"] for p in (pubs[-1], pubs[-2]))
            add(f"store growth P = {pubs[-2]:,} → {pubs[-1]:,}", fmt_ratio(a / b), "≤ 1.5×",
                a / b <= 1.5, src("default"))
    if dc:
        # The worst of the measured stores.
        p, a = max(((p, dc["decade"][str(p)]["asof_output"]) for p in dc["publications"]),
                   key=lambda pa: pa[1]["table"]["peak_rss"] / pa[1]["csv"]["peak_rss"])
        x = a["table"]["peak_rss"] / a["csv"]["peak_rss"]
        add(f"as-of peak memory, table / CSV output, the highest of P = "
            f"{', '.join(f'{q:,}' for q in dc['publications'])} (P = {p:,}; synthetic "
            f"{dc['entries']:,}-entry list + 2 weekly lists; the issue's row is the real "
            f"21k-entry SDN)",
            f"{fmt_ratio(x)} ({fmt_bytes(a['table']['peak_rss'])} vs "
            f"{fmt_bytes(a['csv']['peak_rss'])})", "≤ 1.5×", x <= 1.5, src("decade"))
    lg = runs["large"]
    if lg:
        later = [x for x in lg["large_ingest"]
                 if x["index"] > 0 and x["file"].endswith("-snapshot.json")]
        worst = max(later, key=lambda x: x["peak_rss"])
        limit = 1.5 * 1024 * MIB
        times = sorted(x["seconds"] for x in later)
        add(f"{lg['entries']:,}-entry profile, later snapshots: peak memory (time of each)",
            f"{fmt_bytes(worst['peak_rss'])} ({fmt_s(times[0])} – {fmt_s(times[-1])})",
            "≤ 1.5 GiB", worst["peak_rss"] <= limit, src("large"))
    met = sum(1 for row in rows if row[3] == "✅")
    judged = sum(1 for row in rows if row[3] != "–")
    out = [ISSUE15_BEGIN, "## Issue 15 targets", "",
           f"{met} of {judged} met. Each row names the run it comes from (profile, date, commit): "
           "the ratios of one row are from one run, but rows from different runs are not "
           "measured together.", "",
           "| target | measured | limit | met | run |", "| --- | --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    if dc and dc["outputs"].get("plot") and (root / dc["outputs"]["plot"]).exists():
        out += ["", f"Details of the decade run: [`{dc['outputs']['markdown']}`]"
                f"({dc['outputs']['markdown']}).", "",
                f"![Decade profile: query time against P, log-log: plain solid, --known-at "
                f"dashed]({dc['outputs']['plot']})"]
    out += ["", ISSUE15_END, ""]
    return out


def update_issue15_section(md: Path, lines: list[str]) -> None:
    """Rewrites the issue-15 block of `md` (inserted before the Notes section when missing)."""
    if not md.exists():
        return
    text = md.read_text()
    block = "\n".join(lines)
    if ISSUE15_BEGIN in text and ISSUE15_END in text:
        head, rest = text.split(ISSUE15_BEGIN, 1)
        _old, tail = rest.split(ISSUE15_END, 1)
        text = head + block.rstrip("\n").removesuffix(ISSUE15_END).rstrip("\n") \
            + "\n\n" + ISSUE15_END + tail
    else:
        where = text.find("\n## Notes\n")
        if where < 0:
            text = text.rstrip("\n") + "\n\n" + block
        else:
            text = text[:where + 1] + block + "\n" + text[where + 1:]
    md.write_text(text)


def make_plot(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "listdiff-bench"
    import matplotlib.pyplot as plt

    pubs = r["publications"]
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for n, (key, label) in enumerate(QUERIES):
        colour = f"C{n}"
        lt = [r["queries"][str(p)][key]["listdiff"]["median"] for p in pubs]
        ax.plot(pubs, lt, color=colour, linestyle="-", marker="o", label=f"listdiff {label}")
        gm = [r["queries"][str(p)][key]["git"] for p in pubs]
        if all(gm):
            ax.plot(pubs, [g["median"] for g in gm], color=colour, linestyle="--", marker="s",
                    markerfacecolor="none", label=f"git {label}")
    finish_time_plot(fig, ax, pubs, path,
                     "publications in the store / commits in the repository (P)",
                     f"listdiff (solid) against git (dashed): {r['entries']:,}-entry list, "
                     f"profile {r['profile']}")


def main() -> int:
    global BUDGET_S
    ap = argparse.ArgumentParser(description="The listdiff benchmark (run it through bench/run).")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true",
                       help="2,000 entries, P = 20, 50, 100: a few minutes, for development")
    group.add_argument("--large", action="store_true",
                       help="1,000,000 entries, 50 publications, each step once")
    group.add_argument("--decade", action="store_true",
                       help="ten years: 3,650 daily publications of 20,000 entries and two weekly "
                            "lists, recorded month by month; stores of 310, 1,200 and 3,650")
    ap.add_argument("--rewrite", action="store_true",
                    help="measure nothing: write the profile's markdown, plot and BENCHMARKS.md's "
                         "issue-15 table again from its results JSON (after editing bench.py)")
    ap.add_argument("--budget", type=float, metavar="SECONDS",
                    help=f"stop repeating one measurement once its runs would pass SECONDS in "
                         f"all (default {BUDGET_S:.0f}; at least one run is made)")
    ap.add_argument("--work", metavar="DIR",
                    help="work directory (default: $TMPDIR or /tmp, + /listdiff-bench)")
    ap.add_argument("--git-only", action="store_true",
                    help="only build, pack and cache the git repositories (the slow part), for a later run")
    ap.add_argument("--no-git-cache", action="store_true",
                    help="build and pack the git repositories again even when a cached copy exists")
    ap.add_argument("--no-build", action="store_true",
                    help="(bench/run) use the binaries in target/release without building")
    ap.add_argument("--entries", type=int, help=argparse.SUPPRESS)  # harness testing only
    ap.add_argument("--publications", type=lambda s: [int(x) for x in s.split(",")],
                    help=argparse.SUPPRESS)  # harness testing only
    args = ap.parse_args()
    if args.budget:
        BUDGET_S = args.budget
    bench = Bench(args)
    try:
        if args.rewrite:
            path = ROOT / bench.profile["json"]
            try:
                bench.results = json.loads(path.read_text())
            except (OSError, ValueError) as e:
                raise BenchError(f"--rewrite: cannot read {path}: {e}")
            bench.write()
            return 0
        bench.run()
    except BenchError as e:
        log(f"FAILED: {e}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
