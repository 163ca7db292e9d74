import SkiffCore

/// Cleanup on the host that does not depend on the controller: a process started beside a deploy's run
/// directory waits for the SSH session that made the directory to end; if the directory is still there
/// then (the controller was killed, even with `kill -9`, or the connection was lost before the deploy's
/// own cleanup), it logs out of the registry and removes the directory, credential and compose files
/// included. When the deploy's cleanup removes the directory first, the watcher just ends.
public enum SessionWatcher {
    /// Shell text that starts the watcher in the background, detached from the command's output (so the
    /// command ends at once) and from hang-up and interrupt signals. The session is the nearest `sshd`
    /// process above the command; without one (a local connection) no watcher is started.
    static func start(runDirectory: String, dockerConfig: String, logout: String?) -> String {
        let directory = ShellQuote.quote(runDirectory)
        let logoutLine = logout.map { "DOCKER_CONFIG=\(ShellQuote.quote(dockerConfig)) sh -c \(ShellQuote.quote($0))" } ?? "true"
        return whenSessionEnds(whileThere: directory, run: "\(logoutLine); rm -rf -- \(directory)")
    }

    /// Shell text that starts, in the background, a process that waits while `path` (quoted shell text)
    /// exists and the SSH session lives; when the session has ended and `path` is still there, it runs
    /// `action` (shell text). The deploy lock uses it too: a run whose controller died gives its locks back.
    /// `found` (shell text) runs once the session is known, with its process id in `$session`; the action
    /// sees `$session` too.
    ///
    /// Cheap on the host: the session is found with shell builtins only (no process per step), and the
    /// waiting is one `tail --pid` (a loop of `sleep 1` where `tail` lacks `--pid`), so a run's watchers
    /// cost each host two processes, not one a second.
    public static func whenSessionEnds(whileThere path: String, run action: String, found: String = "true") -> String {
        """
            session=$$
            while [ "$session" -gt 1 ]; do
              comm=; read -r comm 2>/dev/null </proc/$session/comm
              case "$comm" in sshd*) break ;; esac
              stat=; read -r stat 2>/dev/null </proc/$session/stat
              stat=${stat##*) }; stat=${stat#* }; session=${stat%% *}
              case "$session" in ''|*[!0-9]*) session=1 ;; esac
            done
            if [ "$session" -gt 1 ]; then
              \(found)
              ( trap '' HUP INT TERM PIPE
                tail --pid="$session" -f /dev/null 2>/dev/null || while [ -d /proc/$session ]; do sleep 1; done
                if [ -e \(path) ]; then \(action); fi
              ) </dev/null >/dev/null 2>&1 &
            fi
            true
            """
    }
}
