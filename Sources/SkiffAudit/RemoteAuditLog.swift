import OrderedCollections
import SkiffCore

/// Each host's own audit log (`--audit-remote`): the host's part of every run — `run_started`, its task
/// results and lock events, what it deployed, its `run_finished` — appended by the run over the host's SSH
/// connection at the end of its work there, so that the history survives a throwaway CI runner. The log is
/// `~/.skiff/audit.jsonl` of the login user (or a path given), mode 0600 in a 0700 directory, appended
/// under `flock` and synced. Its records are chained like the controller's (`seq`, `prev`: the SHA-256 of
/// the previous record), without a MAC: a host cannot hold the controller's key.
public enum RemoteAuditLog {
    /// The log's path as shell text: the given path (quoted; `~/` is the login user's home), else the default.
    static func pathExpression(_ path: String?) -> String {
        guard let path, !path.isEmpty else { return "\"$HOME/.skiff/audit.jsonl\"" }
        if path.hasPrefix("~/") { return "\"$HOME\"/" + ShellQuote.quote(String(path.dropFirst(2))) }
        return ShellQuote.quote(path)
    }

    /// The shell script that appends the records arriving on stdin (one JSON object a line, without `seq`
    /// and `prev`), chained to the log's last record. Exit 3 with a message when the log cannot be written.
    public static func appendScript(path: String?) -> String {
        """
        umask 077; log=\(pathExpression(path))
        fail() { echo "cannot write the host's audit log $log: $1" >&2; exit 3; }
        mkdir -p -- "$(dirname -- "$log")" || fail "cannot create its directory"
        exec 9>>"$log.lock" || fail "cannot open its lock"
        if command -v flock >/dev/null 2>&1; then flock -w 60 9 || fail "another run holds its lock"; fi
        [ -e "$log" ] || : >> "$log" || fail "cannot create it"
        [ -z "$(tail -c 1 -- "$log")" ] || printf '\\n' >> "$log" || fail "cannot end its torn last line"
        last=$(tail -n 1 -- "$log")
        if [ -n "$last" ]; then
            seq=$(sed -n '$s/^{"seq": \\([0-9]*\\),.*/\\1/p' -- "$log"); seq=${seq:-$(wc -l < "$log")}
            prev=$(printf '%s' "$last" | sha256sum | cut -c1-64)
        else
            seq=0; prev=\(AuditLog.genesis)
        fi
        while IFS= read -r body; do
            seq=$((seq + 1))
            line="{\\"seq\\": $seq, \\"prev\\": \\"$prev\\", ${body#\\{}"
            printf '%s\\n' "$line" >> "$log" || fail "the write failed"
            prev=$(printf '%s' "$line" | sha256sum | cut -c1-64)
        done
        sync -- "$log" 2>/dev/null || sync
        echo "appended $seq"
        """
    }

    /// The records' text for `appendScript`'s stdin.
    public static func input(_ records: [OrderedDictionary<String, Value>]) -> [UInt8] {
        Array(records.map { Value.dict($0).json + "\n" }.joined().utf8)
    }

    /// Prints the host's log (nothing when it does not exist yet).
    public static func readScript(path: String?) -> String {
        "log=\(pathExpression(path)); if [ -e \"$log\" ]; then cat -- \"$log\"; fi"
    }
}
