#!/usr/bin/env python3
"""Writes a valid Skiff audit log of RUNS runs (each: run_started, 5 tasks on 3 hosts, a deployed record
per host, run_finished), chained exactly as Skiff chains it, for bench/audit-history."""
import hashlib, json, sys

path, runs = sys.argv[1], int(sys.argv[2])
seq, prev = 0, "0" * 64
with open(path, "w") as out:
    def write(kind, fields, ms):
        global seq, prev
        seq += 1
        t = ms // 1000
        stamp = "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (1 + t // 2592000 % 12, 1 + t // 86400 % 28, t // 3600 % 24, t // 60 % 60, t % 60, ms % 1000)
        record = {"seq": seq, "prev": prev, "time": stamp, "type": kind}
        record.update(fields)
        line = json.dumps(record)
        prev = hashlib.sha256(line.encode()).hexdigest()
        out.write(line + "\n")

    for n in range(runs):
        run = "01900000-%04x-7000-8000-%012x" % (n % 65536, n)
        version = "1.%d.%d" % (n // 100, n % 100)
        ms = n * 60000
        hosts = ["web%d" % ((n + i) % 40) for i in range(3)]
        write("run_started", {"run": run, "skiff_version": "0.1.0", "operator": "ci@runner%d" % (n % 4),
                              "ci": {"system": "gitlab", "job": "shop / deploy", "pipeline": str(n)},
                              "playbooks": [{"path": "playbooks/deploy.yml", "sha256": "0" * 64}],
                              "extra_vars": {"version": version}}, ms)
        for task in ["Log in", "Copy", "Start", "Remove", "Log out"]:
            for host in hosts:
                write("task_result", {"run": run, "host": host, "task": task, "status": "changed", "duration_ms": 40,
                                      "commands": ["docker compose -p app up -d"], "stdout_tail": "done"}, ms + 100)
        for host in hosts:
            write("deployed", {"run": run, "host": host, "project": "app", "version": version}, ms + 200)
        write("run_finished", {"run": run, "exit_code": 0, "duration_ms": 900,
                               "hosts": {h: {"ok": 5, "changed": 5, "failed": 0, "unreachable": 0} for h in hosts}}, ms + 300)
with open(path + ".head", "w") as head:
    head.write("%d %s\n" % (seq, prev))
