"""Processes under test, read from /proc: CPU time, resident memory, children; the machine."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name is in parentheses and may hold spaces; the fields follow it.
    return text[text.rindex(")") + 2:].split()


def children(pid: int) -> list[int]:
    """Live child processes of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry))[1]) == pid:
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def cpu_seconds(pid: int, include_reaped: bool = False) -> float:
    """User plus system CPU time of ``pid`` (and of its reaped children, if asked)."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    # After the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    ticks = int(fields[11]) + int(fields[12])
    if include_reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def tree_cpu_seconds(master: int) -> float:
    """CPU time of a server: its master (with reaped workers) and its live workers."""
    return cpu_seconds(master, include_reaped=True) + sum(cpu_seconds(child) for child in children(master))


def memory_kib(pid: int) -> dict[str, int]:
    """Resident set (VmRSS), its peak (VmHWM) and proportional set size (Pss), in KiB.

    RSS counts every page a process can reach, also those it shares with the master and
    the other workers since the fork; PSS divides each shared page among its sharers, so
    the workers' PSS add up to what they really occupy.
    """
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name == "Pss":
                values[name] = int(rest.split()[0])
    except OSError:
        pass
    return {"rss_kib": values.get("VmRSS", 0), "peak_rss_kib": values.get("VmHWM", 0), "pss_kib": values.get("Pss", 0)}


def server_memory(master: int) -> dict[str, object]:
    workers = [{"pid": pid, **memory_kib(pid)} for pid in children(master)]
    return {"master": {"pid": master, **memory_kib(master)}, "workers": workers}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def service_pids(database_url: str, store_url: str) -> list[int]:
    """The local PostgreSQL postmaster and Redis server behind these URLs, if they run here."""
    ports = [u.port for u in map(urlsplit, (database_url, store_url)) if u.port and u.hostname in ("127.0.0.1", "localhost")]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        line = _cmdline(int(entry))
        for port in ports:
            if ("postgres" in line and re.search(rf"-p {port}\b", line)) or \
                    ("redis-server" in line and re.search(rf":{port}\b", line)):
                found.append(int(entry))
    return sorted(found)


def services_cpu_seconds(pids: list[int]) -> float:
    """CPU time of database and store servers, with their exited connection processes."""
    return sum(tree_cpu_seconds(pid) for pid in pids)


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict[str, object]:
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "loadavg_at_start": loadavg(),
        "other_processes_busy": _busy_processes(),
    }


def _busy_processes() -> int:
    """Processes not started by this run that are using CPU right now (from ps)."""
    try:
        out = subprocess.run(["ps", "-eo", "pcpu=,pid=,ppid="], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return -1
    me = os.getpid()
    busy = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and float(parts[0]) >= 20 and int(parts[1]) != me and int(parts[2]) != me:
            busy += 1
    return busy
