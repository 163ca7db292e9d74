import OrderedCollections
import SkiffCore

/// One run as a self-contained static HTML page (no scripts, no external files) that a CI job can
/// archive: the run's facts, a recap table, then each host's timeline — hosts that failed first.
public enum HTMLReport {
    public static func render(_ detail: RunDetail) -> String {
        let run = detail.run
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Skiff run \(escape(String(run.id.prefix(13)))) — \(escape(run.status))</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2430;padding:0 1em}
            h1{font-size:1.4em;margin-bottom:.2em} h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #d7dde6;padding-bottom:.2em}
            table{border-collapse:collapse;width:100%;margin:.6em 0} th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #e6eaf0;vertical-align:top}
            th{background:#f3f5f8;font-weight:600} dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em} dt{color:#5b6575}
            .badge{display:inline-block;padding:.05em .55em;border-radius:.7em;font-size:.85em;font-weight:600;color:#fff}
            .ok{background:#2e7d32}.changed{background:#b26a00}.failed,.unreachable,.error{background:#c62828}.skipped{background:#607d8b}.locked{background:#6a1b9a}
            .rescued,.ignored{background:#6a1b9a}.interrupted,.unfinished{background:#455a64}
            pre{background:#f6f8fa;padding:.5em .7em;margin:.3em 0;white-space:pre-wrap;word-break:break-word;font-size:12.5px;border-radius:4px}
            .bad td{background:#fff5f5}
            </style></head><body>
            <h1>Skiff run <code>\(escape(run.id))</code> <span class="badge \(escape(run.status))">\(escape(run.status))</span></h1>
            <dl>
            <dt>Started</dt><dd>\(escape(run.time)) by \(escape(run.operatorName))</dd>
            <dt>CI job</dt><dd>\(ciLink(run))</dd>
            <dt>Playbooks</dt><dd>\(escape(run.playbooks.joined(separator: ", ")))</dd>
            <dt>Versions</dt><dd>\(escape(run.versions.joined(separator: ", ")))</dd>
            <dt>Duration</dt><dd>\(run.durationMilliseconds.map { "\(Double($0) / 1000) s" } ?? "-")</dd>
            <dt>Command</dt><dd><code>\(escape(run.started["command_line"]?.text ?? ""))</code></dd>
            """
        if let rollback = run.rollbackOf { html += "<dt>Rollback of</dt><dd><code>\(escape(rollback))</code></dd>\n" }
        html += "</dl>\n<h2>Recap</h2>\n<table><tr><th>Host</th><th>ok</th><th>changed</th><th>unreachable</th><th>failed</th><th>skipped</th><th>rescued</th><th>ignored</th><th>locked</th><th>Deployed</th></tr>\n"
        let recap = run.finished?["hosts"]?.dictValue ?? [:]
        for host in detail.hostsFailuresFirst {
            let counts = recap[host]?.dictValue ?? [:]
            let bad = (counts["failed"]?.intValue ?? 0) + (counts["unreachable"]?.intValue ?? 0) > 0
            let deployed = run.deployed.filter { $0.host == host }.map { "\($0.project) \($0.version ?? "?")" }.joined(separator: ", ")
            html += "<tr\(bad ? " class=\"bad\"" : "")><td><a href=\"#host-\(escape(host))\">\(escape(host))</a></td>"
            for key in ["ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored", "locked"] {
                html += "<td>\(counts[key]?.intValue ?? 0)</td>"
            }
            html += "<td>\(escape(deployed))</td></tr>\n"
        }
        html += "</table>\n"
        for host in detail.hostsFailuresFirst {
            html += "<h2 id=\"host-\(escape(host))\">\(escape(host))</h2>\n<table><tr><th>Time</th><th>Task</th><th>Result</th><th>Duration</th><th>Details</th></tr>\n"
            for result in detail.hosts[host] ?? [] {
                let status = result["status"]?.text ?? "?"
                var details = ""
                if let rc = result["rc"] { details += "rc=\(escape(rc.text)) " }
                for command in result["commands"]?.listValue ?? [] { details += "<pre>$ \(escape(command.text))</pre>" }
                for key in ["msg", "stdout_tail", "stderr_tail"] {
                    if let text = result[key]?.text, !text.isEmpty { details += "<pre>\(escape(key.replacingAll("_tail", with: ""))): \(escape(text))</pre>" }
                }
                let item = result["item"].map { " (item=\(escape($0.text)))" } ?? ""
                html += "<tr\(["failed", "unreachable"].contains(status) ? " class=\"bad\"" : "")><td>\(escape(String((result["time"]?.text ?? "").dropFirst(11).prefix(12))))</td>"
                html += "<td>\(escape(result["task"]?.text ?? ""))\(item)</td><td><span class=\"badge \(escape(status))\">\(escape(status))</span></td>"
                html += "<td>\(result["duration_ms"]?.intValue.map { "\(Double($0) / 1000) s" } ?? "")</td><td>\(details)</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "<p style=\"color:#5b6575\">Generated by Skiff from its audit log.</p>\n</body></html>\n"
    }

    static func ciLink(_ run: AuditHistory.Run) -> String {
        let label = escape(run.ciLabel)
        guard let url = run.started["ci"]?.dictValue?["url"]?.text, url.hasPrefix("http") else { return label }
        return "<a href=\"\(escape(url))\">\(label)</a>"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
